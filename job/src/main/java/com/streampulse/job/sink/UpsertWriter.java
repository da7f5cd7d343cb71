package com.streampulse.job.sink;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers one table's rows and writes them in one round trip, on a thread of its own while the task
 * thread fills the next batch: PostgreSQL's share of a flush (the COPY, the upsert, the commit)
 * overlaps the job's own work instead of stopping the task it is chained to (the content windows,
 * the Kafka source for rejected events). At most one batch is in flight and batches are written in
 * order, so a row never overtakes an older one of the same key.
 *
 * <p>Exactly-once is unchanged: {@link #flush} (before every checkpoint barrier and at the end of
 * input) waits until every row handed over so far is committed. A write that fails for good fails
 * the task at its next row, flush or timer, and the job restarts from its last checkpoint.
 *
 * <p>A failed write is retried up to {@link #MAX_RETRIES} times, on a new connection if the old one
 * no longer answers; a new connection that cannot be opened fails at once. On a network black hole
 * that is a read blocked for the socket timeout, then a connect blocked for the login timeout, as
 * {@code PostgresTimeouts#giveUpAfter} says.
 */
final class UpsertWriter<T> implements SinkWriter<T> {

    private static final Logger LOG = LoggerFactory.getLogger(UpsertWriter.class);
    static final int MAX_RETRIES = 5;

    private final SinkTable<T> table;
    private final PostgresConnector connector;
    private final int batchSize;
    private final long flushIntervalMillis;
    private final ProcessingTimeService timers;
    private final Counter flushFailures;
    private final ExecutorService writing;
    private volatile long lastFlushMillis;

    /** The rows since the last hand-over, filled by the task thread. */
    private SinkTable.Batch<T> batch;

    /** The newest watermark seen. */
    private long watermark = Long.MIN_VALUE;

    /**
     * The earliest timestamp among the buffered rows that was ahead of the watermark when the row
     * came ({@link Long#MAX_VALUE}: none): a row a firing emitted before passing its watermark on.
     */
    private long earliestAheadOfWatermark = Long.MAX_VALUE;

    /** The batch being written; completes with it cleared, to be filled again. */
    private Future<SinkTable.Batch<T>> inFlight;

    /** Used by the writing thread only (and closed by {@link #close}). */
    private volatile Connection connection;

    private volatile boolean closed;

    UpsertWriter(
            SinkTable<T> table,
            PostgresConnector connector,
            int batchSize,
            long flushIntervalMillis,
            ProcessingTimeService timers,
            MetricGroup metrics)
            throws IOException {
        // Failed attempts (each retry counts) and how long the last batch took, retries included.
        this.flushFailures = metrics.counter("sinkFlushFailures");
        metrics.gauge("sinkFlushDurationMillis", () -> lastFlushMillis);
        this.table = table;
        this.batch = table.newBatch();
        this.inFlight = CompletableFuture.completedFuture(table.newBatch());
        this.connector = connector;
        this.batchSize = batchSize;
        this.flushIntervalMillis = flushIntervalMillis;
        this.timers = timers;
        this.connection = connect();
        this.writing =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "PostgreSQL writer: " + table.name());
                            t.setDaemon(true);
                            return t;
                        });
        scheduleFlush();
    }

    @Override
    public void write(T row, Context context) throws IOException, InterruptedException {
        batch.add(row);
        Long time = context.timestamp();
        if (time != null && time > watermark) {
            earliestAheadOfWatermark = Math.min(earliestAheadOfWatermark, time);
        }
        if (batch.size() >= batchSize) {
            handOver();
        }
    }

    /**
     * Writes the buffered rows at once, without waiting for the timer, when the watermark has
     * passed one of them. A window operator emits a firing's rows (stamped with the window's last
     * millisecond) and then passes on the watermark that fired them, so that watermark marks the
     * moment the firing's last rows (all of a small table's) are complete: written now, they are
     * visible up to {@code flushIntervalMillis} sooner. Rows that came behind the watermark (late
     * updates of fired windows) or without a timestamp (rejected events) wait for a full batch or
     * the timer as before, instead of costing a round trip per watermark (five a second) that no
     * reader waits for.
     */
    @Override
    public void writeWatermark(Watermark next) throws IOException, InterruptedException {
        watermark = Math.max(watermark, next.getTimestamp());
        if (earliestAheadOfWatermark <= watermark) {
            handOver();
        }
    }

    /** Rows not handed over to the writing thread yet. */
    int buffered() {
        return batch.size();
    }

    /**
     * Called before every checkpoint barrier and at the end of input: waits until all is written.
     */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        handOver();
        awaitWritten();
    }

    private void scheduleFlush() {
        timers.registerTimer(
                timers.getCurrentProcessingTime() + flushIntervalMillis,
                time -> {
                    if (!closed) {
                        handOver();
                        if (inFlight.isDone()) {
                            awaitWritten(); // a write that failed for good fails the task now
                        }
                        scheduleFlush();
                    }
                });
    }

    /** Starts writing the buffered rows once the batch before them is written. */
    private void handOver() throws IOException, InterruptedException {
        if (batch.size() == 0) {
            return;
        }
        SinkTable.Batch<T> full = batch;
        batch = awaitWritten();
        earliestAheadOfWatermark = Long.MAX_VALUE;
        inFlight =
                writing.submit(
                        () -> {
                            writeWithRetries(full);
                            full.clear();
                            return full;
                        });
    }

    /** Waits for the batch in flight; returns it, cleared. Rethrows its failure. */
    private SinkTable.Batch<T> awaitWritten() throws IOException, InterruptedException {
        try {
            return inFlight.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("Writing to " + table.name() + " failed", e.getCause());
        }
    }

    private void writeWithRetries(SinkTable.Batch<T> rows)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            try {
                rows.writeTo(connection);
                lastFlushMillis = (System.nanoTime() - start) / 1_000_000;
                return;
            } catch (SQLException e) {
                flushFailures.inc();
                if (attempt >= MAX_RETRIES || closed) {
                    throw new IOException(
                            "Writing " + rows.size() + " rows to " + table.name() + " failed", e);
                }
                LOG.warn(
                        "Writing {} rows to {} failed (attempt {} of {}): {}",
                        rows.size(),
                        table.name(),
                        attempt + 1,
                        MAX_RETRIES + 1,
                        e.getMessage());
                if (!connector.isUsable(connection)) {
                    closeConnection();
                    connection = connect();
                }
                Thread.sleep(1000L * attempt);
            }
        }
    }

    private Connection connect() throws IOException {
        try {
            return connector.open();
        } catch (SQLException e) {
            throw new IOException("Connecting to PostgreSQL for " + table.name() + " failed", e);
        }
    }

    private void closeConnection() {
        Connection c = connection;
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("Closing the connection for {} failed", table.name(), e);
        }
        connection = null;
    }

    /**
     * Stops the writing thread (a batch in flight is abandoned: the job restarts from a checkpoint
     * that precedes it, or has flushed it) and closes the connection, which also ends a write
     * blocked on it.
     */
    @Override
    public void close() {
        closed = true;
        writing.shutdownNow();
        closeConnection();
    }
}
