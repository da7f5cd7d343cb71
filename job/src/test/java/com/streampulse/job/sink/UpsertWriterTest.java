package com.streampulse.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.RegionHealth;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When a sink writer writes, against a real PostgreSQL. The processing-time clock stands still
 * unless a test moves it, so the writer's one-second timer fires only when a test says so.
 */
class UpsertWriterTest {

    private static final long TEN = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();
    private static final long WINDOW_END = TEN + 60_000;
    private static final int BATCH_SIZE = 5_000;
    private static final long FLUSH_INTERVAL_MILLIS = 1_000;
    private static final Duration WRITTEN_WITHIN = Duration.ofSeconds(30);

    private static EmbeddedPostgresDb db;
    private static PostgresConnector connector;

    @BeforeAll
    static void startDatabase() {
        db = EmbeddedPostgresDb.start();
        connector = new PostgresConnector(EmbeddedPostgresSettings.of(db));
    }

    @AfterAll
    static void stopDatabase() {
        db.close();
    }

    /** Stands still unless a test moves it: the writer's timer fires only then. */
    private TestProcessingTimeService clock;

    @BeforeEach
    void emptyTablesAndStopTheClock() {
        db.truncateAll();
        clock = new TestProcessingTimeService();
    }

    @Test
    void theWatermarkThatFiredAWindowWritesItsRows() throws Exception {
        try (UpsertWriter<RegionHealth> writer = writer()) {
            writer.writeWatermark(new Watermark(WINDOW_END - 1_000));
            // A firing: the window's rows, then the watermark that fired it.
            writer.write(region("eu", 5), stampedAt(WINDOW_END - 1));
            writer.write(region("us", 7), stampedAt(WINDOW_END - 1));
            assertThat(writer.buffered()).as("a part batch waits").isEqualTo(2);

            writer.writeWatermark(new Watermark(WINDOW_END));

            assertThat(awaitRegions(2)).isEqualTo(2);
        }
    }

    @Test
    void lateUpdatesAndRowsWithoutATimeWaitForTheTimer() throws Exception {
        try (UpsertWriter<RegionHealth> writer = writer()) {
            writer.writeWatermark(new Watermark(WINDOW_END));
            writer.write(region("eu", 6), stampedAt(WINDOW_END - 1)); // a late update
            writer.write(region("us", 8), stampedAt(null)); // as rejected events come

            writer.writeWatermark(new Watermark(WINDOW_END + 1_000));
            assertThat(writer.buffered()).isEqualTo(2);

            clock.setCurrentTime(FLUSH_INTERVAL_MILLIS);
            assertThat(awaitRegions(2)).isEqualTo(2);
        }
    }

    private UpsertWriter<RegionHealth> writer() throws Exception {
        return new UpsertWriter<>(
                JdbcSinks.REGION_HEALTH,
                connector,
                BATCH_SIZE,
                FLUSH_INTERVAL_MILLIS,
                clock,
                new UnregisteredMetricsGroup());
    }

    private SinkWriter.Context stampedAt(Long timestamp) {
        return new SinkWriter.Context() {
            @Override
            public long currentWatermark() {
                return Long.MIN_VALUE; // not read by the writer
            }

            @Override
            public Long timestamp() {
                return timestamp;
            }
        };
    }

    private static RegionHealth region(String region, long total) {
        return new RegionHealth(TEN, WINDOW_END, region, total, total, 0, 1.0, 20.0, 30.0);
    }

    /**
     * Polls until {@code expected} rows are visible or the deadline passes; returns the last count.
     */
    private static long awaitRegions(long expected) throws Exception {
        long deadline = System.nanoTime() + WRITTEN_WITHIN.toNanos();
        long rows;
        while ((rows = regions()) != expected && System.nanoTime() < deadline) {
            Thread.sleep(20); // the pace of the polls; the deadline decides
        }
        return rows;
    }

    private static long regions() throws Exception {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM region_health")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
