package com.streampulse.autoscaler.loop;

import com.streampulse.job.ingest.DownloadDeserializer;
import com.streampulse.job.records.Ingested;
import java.io.IOException;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The production deserializer, made to cost {@code 1 / perSecond} of its subtask's time per record,
 * real work included, so a subtask takes in at most {@code perSecond} records/s. Each subtask has
 * its own copy, so the job's capacity grows with its parallelism as on a cluster whose task
 * managers each bring their own CPU, and the two shared cores of a test machine are never the
 * limit. The wait stands for CPU work: it is busy time in Flink's metrics at any load, as work
 * would be (a rate limit that lets records through at once while under it would read as idle
 * capacity).
 */
final class ThrottledDeserializer implements KafkaRecordDeserializationSchema<Ingested> {

    private final DownloadDeserializer delegate = new DownloadDeserializer();
    private final long nanosPerRecord;
    private transient long lastDone;

    ThrottledDeserializer(int perSecond) {
        this.nanosPerRecord = 1_000_000_000L / perSecond;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out)
            throws IOException {
        long now = System.nanoTime();
        // Back to back (saturated), each record's cost runs from the end of the previous one, so
        // a late wake-up on a loaded machine is made up and the pace stays exact; after a pause
        // the cost starts now.
        long done = (now - lastDone < nanosPerRecord ? lastDone : now) + nanosPerRecord;
        lastDone = done;
        delegate.deserialize(record, out);
        for (long left = done - System.nanoTime(); left > 0; left = done - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return delegate.getProducedType();
    }
}
