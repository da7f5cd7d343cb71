package com.streampulse.job.sink;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.job.config.PostgresSettings;
import com.streampulse.job.records.AlertRow;
import com.streampulse.job.records.AlertRow.Change;
import com.streampulse.job.records.ContentStats;
import com.streampulse.job.records.DroppedPartial;
import com.streampulse.job.records.RegionHealth;
import com.streampulse.job.records.RejectedEvent;
import com.streampulse.job.records.RejectedEvent.Reason;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sinks' upserts as the job sends them: one flush of a table's batch over the URL the job
 * builds. A window fires again within one batch whenever a late event updates it before the next
 * flush (or an alert's severity changes), so a batch can hold two rows with the same key; the later
 * one must win, as if they had been written one after the other.
 */
class JdbcSinksBatchTest {

    private static final long TEN = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();

    private static EmbeddedPostgresDb db;
    private Connection connection;

    @BeforeAll
    static void startDatabase() {
        db = EmbeddedPostgresDb.start();
    }

    @AfterAll
    static void stopDatabase() {
        db.close();
    }

    @BeforeEach
    void connect() throws Exception {
        db.truncateAll();
        PostgresSettings pg = EmbeddedPostgresSettings.of(db);
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("password", pg.password().value());
        connection = DriverManager.getConnection(pg.jdbcUrl(), props);
    }

    @AfterEach
    void disconnect() throws Exception {
        connection.close();
    }

    @Test
    void alertRaisedThenEscalatedInOneBatchEndsCritical() throws Exception {
        alerts(alert(Change.RAISE, "WARNING", 10), alert(Change.RAISE, "CRITICAL", 11));

        assertThat(
                        query(
                                "SELECT severity || ' ' || window_events || ' ' || (resolved_at IS"
                                        + " NULL) FROM alerts"))
                .isEqualTo("CRITICAL 11 true");
    }

    @Test
    void aResolutionInsertsAResolvedRowAndKeepsItsFirstTime() throws Exception {
        alerts(alert(Change.RESOLVE, "WARNING", 10));
        String resolvedAt = query("SELECT resolved_at::text FROM alerts");

        alerts(alert(Change.RESOLVE, "WARNING", 12));

        assertThat(query("SELECT severity || ' ' || window_events FROM alerts"))
                .isEqualTo("WARNING 12");
        assertThat(query("SELECT resolved_at::text FROM alerts")).isEqualTo(resolvedAt);

        // A later raise makes it active again.
        alerts(alert(Change.RAISE, "CRITICAL", 13));
        assertThat(query("SELECT (resolved_at IS NULL)::text FROM alerts")).isEqualTo("true");
    }

    @Test
    void aWithdrawalResolvesARaisedRowAndInsertsNone() throws Exception {
        alerts(alert(Change.WITHDRAW, null, 10));
        assertThat(count("alerts")).isZero();

        alerts(alert(Change.RAISE, "WARNING", 10), alert(Change.WITHDRAW, null, 12));

        // Resolved, with the severity and threshold of the raise it withdraws.
        assertThat(
                        query(
                                "SELECT severity || ' ' || threshold_value || ' ' || window_events"
                                        + " || ' ' || (resolved_at IS NOT NULL) FROM alerts"))
                .isEqualTo("WARNING 0.1 12 true");
    }

    @Test
    void aStaleAlertThatCountedFewerEventsChangesNothing() throws Exception {
        alerts(alert(Change.RESOLVE, "WARNING", 20));

        // A replayed or zombie firing from before the late data: fewer events, raised.
        alerts(alert(Change.RAISE, "CRITICAL", 15), alert(Change.WITHDRAW, null, 15));

        assertThat(
                        query(
                                "SELECT severity || ' ' || window_events || ' ' || (resolved_at IS"
                                        + " NOT NULL) FROM alerts"))
                .isEqualTo("WARNING 20 true");
    }

    @Test
    void windowFiredTwiceInOneBatchKeepsTheLaterCounts() throws Exception {
        contentStats(8, 9);

        assertThat(query("SELECT download_count::text FROM content_stats")).isEqualTo("9");
    }

    @Test
    void aBatchKeepsTheLastRowOfEachKeyInOneStatement() throws Exception {
        write(
                JdbcSinks.REGION_HEALTH,
                region("eu", 5),
                region("us", 7),
                region("eu", 6),
                region("us", 8));

        assertThat(
                        query(
                                "SELECT string_agg(region || '=' || total_downloads, ' ' ORDER BY"
                                        + " region) FROM region_health"))
                .isEqualTo("eu=6 us=8");
    }

    @Test
    void aRejectedEventKeepsItsPayloadEventTimeToTheMillisecondAndAMissingOne() throws Exception {
        long eventTime = TEN + 12_345;
        write(
                JdbcSinks.REJECTED_EVENTS,
                new RejectedEvent(
                        "t", 1, 41, Reason.INVALID, "bad", eventTime, new byte[] {0, 1, -1}),
                new RejectedEvent("t", 1, 42, Reason.MALFORMED, "junk", null, new byte[] {7}));

        assertThat(
                        query(
                                "SELECT string_agg(source_offset || ' ' || reason || ' ' ||"
                                    + " coalesce((extract(epoch from event_time) *"
                                    + " 1000)::bigint::text, '-') || ' ' || encode(payload, 'hex'),"
                                    + " ', ' ORDER BY source_offset) FROM rejected_events"))
                .isEqualTo("41 INVALID " + eventTime + " 0001ff, 42 MALFORMED - 07");
    }

    @Test
    void aStaleWindowRowThatCountedFewerEventsChangesNothing() throws Exception {
        contentStats(9);
        contentStats(8);

        assertThat(query("SELECT download_count::text FROM content_stats")).isEqualTo("9");
    }

    /** Everything the text formats of COPY or SQL would have to escape, and more than 16 bits. */
    private static final String HOSTILE =
            "tab\there, new\nline, cr\r, back\\slash, \\N, 'single' \"double\", \\.,"
                    + " caf\u00e9 \u6f22\u5b57 \ud83d\ude00, trailing space ";

    @Test
    void hostileStringsAndExtremeNumbersRoundTripExactly() throws Exception {
        double size = 0.1 + 0.2; // not 0.3: every bit must survive
        write(
                JdbcSinks.CONTENT_STATS,
                new ContentStats(TEN, TEN + 60_000, HOSTILE, HOSTILE, Long.MAX_VALUE, 0, -1, size),
                new ContentStats(TEN, TEN + 60_000, "tiny", "", 1, 1, 0, Double.MIN_VALUE));
        write(
                JdbcSinks.REJECTED_EVENTS,
                new RejectedEvent(
                        HOSTILE,
                        Integer.MIN_VALUE,
                        Long.MIN_VALUE,
                        Reason.MALFORMED,
                        HOSTILE,
                        null,
                        HOSTILE.getBytes(UTF_8)));

        try (Statement s = connection.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT content_id, title, download_count, failed_downloads,"
                                        + " total_size_gb FROM content_stats ORDER BY"
                                        + " content_id")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(HOSTILE);
            assertThat(rs.getString(2)).isEqualTo(HOSTILE);
            assertThat(rs.getLong(3)).isEqualTo(Long.MAX_VALUE);
            assertThat(rs.getLong(4)).isEqualTo(-1);
            assertThat(rs.getDouble(5)).isEqualTo(size);
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(2)).isEmpty();
            assertThat(rs.getDouble(5)).isEqualTo(Double.MIN_VALUE);
        }
        try (Statement s = connection.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT source_topic, source_partition, source_offset, detail,"
                                        + " event_time, payload FROM rejected_events")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(HOSTILE);
            assertThat(rs.getInt(2)).isEqualTo(Integer.MIN_VALUE);
            assertThat(rs.getLong(3)).isEqualTo(Long.MIN_VALUE);
            assertThat(rs.getString(4)).isEqualTo(HOSTILE);
            assertThat(rs.getObject(5)).isNull();
            assertThat(rs.getBytes(6)).isEqualTo(HOSTILE.getBytes(UTF_8));
        }
    }

    /** An array parameter travels as a literal: these must stay strings, not nulls or elements. */
    @Test
    void stringsThatLookLikeArrayLiteralSyntaxStayStrings() throws Exception {
        write(
                JdbcSinks.CONTENT_STATS,
                new ContentStats(TEN, TEN + 60_000, "NULL", "{a,b}", 1, 1, 0, 1.0),
                new ContentStats(TEN, TEN + 60_000, "null", "\"}", 2, 2, 0, 2.0));

        assertThat(
                        query(
                                "SELECT string_agg(content_id || '=' || title, ' | ' ORDER BY"
                                        + " content_id) FROM content_stats"))
                .isEqualTo("NULL={a,b} | null=\"}");
    }

    @Test
    void aFailedBatchWritesNothingAndTheConnectionWritesTheNext() throws Exception {
        // dropped_partials.dimension is CONTENT, REGION or DEVICE: the second row breaks the CHECK.
        SinkTable.Batch<DroppedPartial> failing = JdbcSinks.DROPPED_PARTIALS.newBatch();
        failing.add(dropped("CONTENT"));
        failing.add(dropped("NOT A DIMENSION"));
        assertThatThrownBy(() -> failing.writeTo(connection))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("dropped_partials_dimension_check");

        assertThat(count("dropped_partials")).isZero();
        write(JdbcSinks.DROPPED_PARTIALS, dropped("REGION"));
        assertThat(query("SELECT string_agg(dimension, ',') FROM dropped_partials"))
                .isEqualTo("REGION");
        assertThat(connection.getAutoCommit()).isTrue();
    }

    private static DroppedPartial dropped(String dimension) {
        return new DroppedPartial(dimension, "eu", "late", TEN, "t", "0:1-2", 2, 1);
    }

    private void alerts(AlertRow... rows) throws Exception {
        write(JdbcSinks.ALERTS, rows);
    }

    @SafeVarargs
    private <T> void write(SinkTable<T> table, T... rows) throws Exception {
        SinkTable.Batch<T> batch = table.newBatch();
        for (T row : rows) {
            batch.add(row);
        }
        batch.writeTo(connection);
    }

    private static AlertRow alert(Change change, String severity, long events) {
        double threshold = "CRITICAL".equals(severity) ? 0.20 : 0.10;
        return new AlertRow(
                change,
                "HIGH_ERROR_RATE",
                severity,
                "content mov_1: error rate",
                "content",
                "mov_1",
                null,
                "mov_1",
                "error_rate",
                0.25,
                threshold,
                TEN,
                TEN + 60_000,
                events);
    }

    private void contentStats(long... downloads) throws Exception {
        write(
                JdbcSinks.CONTENT_STATS,
                Arrays.stream(downloads)
                        .mapToObj(
                                d ->
                                        new ContentStats(
                                                TEN,
                                                TEN + 60_000,
                                                "mov_1",
                                                "Title One",
                                                d,
                                                d,
                                                0,
                                                1.0))
                        .toArray(ContentStats[]::new));
    }

    private static RegionHealth region(String region, long total) {
        return new RegionHealth(TEN, TEN + 60_000, region, total, total, 0, 1.0, 20.0, 30.0);
    }

    private long count(String table) throws Exception {
        return Long.parseLong(query("SELECT count(*)::text FROM " + table));
    }

    private String query(String sql) throws Exception {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as("a row").isTrue();
            String value = rs.getString(1);
            assertThat(rs.next()).as("exactly one row").isFalse();
            return value;
        }
    }
}
