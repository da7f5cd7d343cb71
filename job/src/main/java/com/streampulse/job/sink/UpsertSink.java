package com.streampulse.job.sink;

import java.io.IOException;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.MetricGroup;

/**
 * Writes one table to PostgreSQL: rows are buffered per {@link SinkTable} and written in one round
 * trip on every checkpoint, when the watermark passes a buffered row (right after the window firing
 * that emitted it), every {@code flushIntervalMillis} and whenever {@code batchSize} rows are
 * waiting.
 *
 * <p>Exactly-once without transactions: every write is an idempotent upsert on the row's natural
 * key, and {@link SinkWriter#flush} runs before the checkpoint barrier is passed on, so when a
 * checkpoint completes every row computed before it is in PostgreSQL. A restore replays the records
 * after that checkpoint, which recompute and rewrite the same rows with the same values (and the
 * count fences decline any older ones).
 */
public final class UpsertSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    private final SinkTable<T> table;
    private final PostgresConnector connector;
    private final int batchSize;
    private final long flushIntervalMillis;

    UpsertSink(
            SinkTable<T> table,
            PostgresConnector connector,
            int batchSize,
            long flushIntervalMillis) {
        this.table = table;
        this.connector = connector;
        this.batchSize = batchSize;
        this.flushIntervalMillis = flushIntervalMillis;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return writer(context.getProcessingTimeService(), context.metricGroup());
    }

    /** Flink 1.20 calls {@link #createWriter(WriterInitContext)}; this one is deprecated. */
    @Override
    @Deprecated
    public SinkWriter<T> createWriter(InitContext context) throws IOException {
        return writer(context.getProcessingTimeService(), context.metricGroup());
    }

    private SinkWriter<T> writer(ProcessingTimeService timers, MetricGroup metrics)
            throws IOException {
        return new UpsertWriter<>(
                table,
                connector,
                batchSize,
                flushIntervalMillis,
                timers,
                metrics.addGroup("streampulse").addGroup("table", table.name()));
    }
}
