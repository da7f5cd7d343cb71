package com.streampulse.job.it;

import com.streampulse.job.ingest.DownloadDeserializer;
import com.streampulse.job.records.Ingested;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The production deserializer, failing the task once when the armed count of records has been read.
 * The state is static: the MiniCluster runs in the test's JVM, and a restored task must not fail
 * again.
 */
final class FailingDeserializer implements KafkaRecordDeserializationSchema<Ingested> {

    private static final AtomicInteger REMAINING = new AtomicInteger(Integer.MAX_VALUE);
    private static final AtomicBoolean FIRED = new AtomicBoolean();

    private final DownloadDeserializer delegate = new DownloadDeserializer();

    /** Fail on the {@code records}-th record read from now on. */
    static void armAfter(int records) {
        FIRED.set(false);
        REMAINING.set(records);
    }

    static boolean fired() {
        return FIRED.get();
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out)
            throws IOException {
        if (REMAINING.decrementAndGet() == 0 && FIRED.compareAndSet(false, true)) {
            throw new IOException("Injected failure at offset " + record.offset());
        }
        delegate.deserialize(record, out);
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return delegate.getProducedType();
    }
}
