package com.streampulse.job.faults;

import com.streampulse.job.ingest.DownloadDeserializer;
import com.streampulse.job.records.Ingested;
import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The production deserializer, slowed down and failing the task at planned points.
 *
 * <p>Slowed, so that a run of a few thousand records lasts several checkpoint intervals and a fault
 * lands between checkpoints with results already written. Failing at the n-th record read by any
 * subtask since {@link #plan} (replayed records count again), so a fault can also hit a replay. The
 * state is static: the MiniCluster runs in the test's JVM, and a restored task must not fail at the
 * same point again.
 */
final class FaultyDeserializer implements KafkaRecordDeserializationSchema<Ingested> {

    private static final long serialVersionUID = 1L;

    private static final AtomicLong READ = new AtomicLong();
    private static final ConcurrentSkipListSet<Long> FAIL_AT = new ConcurrentSkipListSet<>();
    private static final AtomicInteger FIRED = new AtomicInteger();

    /** In a TaskManager process of its own, the pace comes from a system property. */
    private static volatile int microsPerRecord = Integer.getInteger("faults.pace.micros", 0);

    private final DownloadDeserializer delegate = new DownloadDeserializer();
    private long owedMicros;

    /** Fail once at each of these counts of records read from now on; slow every read. */
    static void plan(int micros, Collection<Long> failAt) {
        microsPerRecord = micros;
        READ.set(0);
        FIRED.set(0);
        FAIL_AT.clear();
        FAIL_AT.addAll(failAt);
    }

    /** Changes the pace while a job runs (0: full speed). */
    static void pace(int micros) {
        microsPerRecord = micros;
    }

    static int fired() {
        return FIRED.get();
    }

    static long read() {
        return READ.get();
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out)
            throws IOException {
        long n = READ.incrementAndGet();
        if (FAIL_AT.remove(n)) {
            FIRED.incrementAndGet();
            throw new IOException(
                    "Injected failure at record " + n + " (offset " + record.offset() + ")");
        }
        owedMicros += microsPerRecord;
        if (owedMicros >= 2_000) {
            try {
                Thread.sleep(owedMicros / 1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while pacing", e);
            }
            owedMicros = 0;
        }
        delegate.deserialize(record, out);
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return delegate.getProducedType();
    }
}
