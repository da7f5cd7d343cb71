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
 * The production deserializer, paced to at most {@code perSecond} records per source subtask. Each
 * subtask has its own copy, so the job's capacity grows with its parallelism as on a cluster whose
 * task managers each bring their own CPU, and the two shared cores of a test machine are never the
 * limit.
 */
final class ThrottledDeserializer implements KafkaRecordDeserializationSchema<Ingested> {

    private final DownloadDeserializer delegate = new DownloadDeserializer();
    private final long nanosPerRecord;
    private transient long nextSlot;

    ThrottledDeserializer(int perSecond) {
        this.nanosPerRecord = 1_000_000_000L / perSecond;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out)
            throws IOException {
        long now = System.nanoTime();
        // No credit is saved up while idle: a subtask never bursts above its rate.
        nextSlot = Math.max(nextSlot, now);
        if (nextSlot > now) {
            LockSupport.parkNanos(nextSlot - now);
        }
        nextSlot += nanosPerRecord;
        delegate.deserialize(record, out);
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return delegate.getProducedType();
    }
}
