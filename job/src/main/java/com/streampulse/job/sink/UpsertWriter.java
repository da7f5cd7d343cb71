package com.streampulse.job.sink;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers one table's rows and writes them in one round trip. Everything runs in the task's thread
 * (the flush timer is a mailbox timer), so a failed write fails the task, and the job restarts from
 * its last checkpoint.
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
    private final SinkTable.Batch<T> batch;
    private final PostgresConnector connector;
    private final int batchSize;
    private final long flushIntervalMillis;
    private final ProcessingTimeService timers;
    private Connection connection;
    private boolean closed;

    UpsertWriter(
            SinkTable<T> table,
            PostgresConnector connector,
            int batchSize,
            long flushIntervalMillis,
            ProcessingTimeService timers)
            throws IOException {
        this.table = table;
        this.batch = table.newBatch();
        this.connector = connector;
        this.batchSize = batchSize;
        this.flushIntervalMillis = flushIntervalMillis;
        this.timers = timers;
        this.connection = connect();
        scheduleFlush();
    }

    @Override
    public void write(T row, Context context) throws IOException, InterruptedException {
        batch.add(row);
        if (batch.size() >= batchSize) {
            writeBatch();
        }
    }

    /** Called before every checkpoint barrier and at the end of input. */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        writeBatch();
    }

    private void scheduleFlush() {
        timers.registerTimer(
                timers.getCurrentProcessingTime() + flushIntervalMillis,
                time -> {
                    if (!closed) {
                        writeBatch();
                        scheduleFlush();
                    }
                });
    }

    private void writeBatch() throws IOException, InterruptedException {
        if (batch.size() == 0) {
            return;
        }
        for (int attempt = 0; ; attempt++) {
            try {
                batch.writeTo(connection);
                batch.clear();
                return;
            } catch (SQLException e) {
                if (attempt >= MAX_RETRIES) {
                    throw new IOException(
                            "Writing " + batch.size() + " rows to " + table.name() + " failed", e);
                }
                LOG.warn(
                        "Writing {} rows to {} failed (attempt {} of {}): {}",
                        batch.size(),
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
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("Closing the connection for {} failed", table.name(), e);
        }
        connection = null;
    }

    @Override
    public void close() {
        closed = true;
        closeConnection();
    }
}
