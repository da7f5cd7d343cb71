package com.streampulse.job.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.config.Settings;
import com.streampulse.job.config.PostgresSettings;
import com.streampulse.job.records.Downloads;
import com.streampulse.job.records.Ingested;
import com.streampulse.job.records.RejectedEvent;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guard in an operator harness against a real PostgreSQL: which starts it checks, what it lets
 * through, and how it refuses.
 */
class StatelessStartGuardTest {

    private static final Instant T0 = Instant.parse("2025-03-01T08:00:00Z");
    private static final long MINUTE = 60_000;
    private static final String TOPIC = "content-downloads";

    private static EmbeddedPostgresDb db;

    @BeforeAll
    static void startDatabase() {
        db = EmbeddedPostgresDb.start();
    }

    @AfterAll
    static void stopDatabase() {
        db.close();
    }

    @BeforeEach
    void emptyTables() {
        db.truncateAll();
    }

    private static Instant at(int minute, int second) {
        return T0.plusSeconds(minute * 60L + second);
    }

    private static final String SECRET = "pg-s3cret-never-printed";

    private static PostgresSettings postgres(int port) {
        return postgres(port, EmbeddedPostgresDb.PASSWORD);
    }

    private static PostgresSettings postgres(int port, String password) {
        return PostgresSettings.from(
                Settings.of(
                        Map.of(
                                "PG_HOST",
                                "localhost",
                                "PG_PORT",
                                Integer.toString(port),
                                "PG_DATABASE",
                                EmbeddedPostgresDb.DATABASE,
                                "PG_USER",
                                EmbeddedPostgresDb.USER,
                                "PG_PASSWORD",
                                password,
                                "PG_SSLMODE",
                                "disable")));
    }

    private static StatelessStartGuard guard(boolean allow) {
        return new StatelessStartGuard(
                TOPIC, MINUTE, postgres(db.port()), allow, Duration.ofSeconds(5));
    }

    private static OneInputStreamOperatorTestHarness<Ingested, Ingested> harness(
            StatelessStartGuard guard) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new StreamMap<>(guard));
    }

    private static Ingested event(Instant time, int partition, long offset) {
        return Ingested.valid(Downloads.read(time, partition, offset));
    }

    private static Ingested malformed(int partition, long offset) {
        return Ingested.rejected(
                new RejectedEvent(
                        TOPIC,
                        partition,
                        offset,
                        RejectedEvent.Reason.MALFORMED,
                        "truncated",
                        null,
                        null));
    }

    /** A region_health row and a content_stats row, the newest window in region_health. */
    private static void tablesHoldWindowsUpTo(Instant regionWindow, Instant contentWindow)
            throws Exception {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement region =
                        c.prepareStatement(
                                "INSERT INTO region_health (window_start, window_end, region,"
                                        + " total_downloads, successful_downloads,"
                                        + " failed_downloads, success_rate, avg_speed_mbps,"
                                        + " avg_duration_seconds)"
                                        + " VALUES (?, ?, 'EU-Berlin', 10, 9, 1, 0.9, 40, 60)");
                PreparedStatement content =
                        c.prepareStatement(
                                "INSERT INTO content_stats (window_start, window_end, content_id,"
                                        + " title, download_count, successful_downloads,"
                                        + " failed_downloads, total_size_gb)"
                                        + " VALUES (?, ?, 'mov_1', 'Title One', 10, 9, 1, 0.9)")) {
            region.setObject(1, OffsetDateTime.ofInstant(regionWindow, ZoneOffset.UTC));
            region.setObject(
                    2, OffsetDateTime.ofInstant(regionWindow.plusSeconds(60), ZoneOffset.UTC));
            region.executeUpdate();
            content.setObject(1, OffsetDateTime.ofInstant(contentWindow, ZoneOffset.UTC));
            content.setObject(
                    2, OffsetDateTime.ofInstant(contentWindow.plusSeconds(60), ZoneOffset.UTC));
            content.executeUpdate();
        }
    }

    @Test
    void startWithoutStateOverNewerWindowsFailsWithoutRestartsAtThePartitionsFirstEvent()
            throws Exception {
        tablesHoldWindowsUpTo(at(9, 0), at(7, 0));
        try (var h = harness(guard(false))) {
            h.initializeEmptyState();
            h.open();
            h.processElement(malformed(0, 41), 0);

            assertThatThrownBy(() -> h.processElement(event(at(5, 30), 0, 42), 0))
                    .isInstanceOf(SuppressRestartsException.class)
                    .cause()
                    .isInstanceOf(StatelessStartRefusedException.class)
                    .hasMessage(
                            "Refusing to start without state: region_health already holds the"
                                    + " window 2025-03-01T08:09:00Z, at or after the window"
                                    + " 2025-03-01T08:05:00Z of the first event read from"
                                    + " content-downloads partition 0 (offset 42, event time"
                                    + " 2025-03-01T08:05:30Z), so this start would overwrite"
                                    + " complete rows with partial sums. Restore the job from its"
                                    + " last checkpoint or savepoint, or set"
                                    + " ALLOW_STATELESS_START=true (--allow-stateless-start) to"
                                    + " accept the overwrite.");
            // The rejected record went on (it rewrites its own row only); the event did not.
            assertThat(h.extractOutputValues()).containsExactly(malformed(0, 41));
        }
    }

    @Test
    void startWithoutStateOverOlderWindowsLetsEveryRecordThrough() throws Exception {
        tablesHoldWindowsUpTo(at(4, 0), at(3, 0));
        List<Ingested> records =
                List.of(
                        event(at(5, 0), 0, 10),
                        event(at(5, 1), 1, 20),
                        malformed(1, 21),
                        // Later events of a partition that passed are not checked again.
                        event(at(4, 59), 0, 11),
                        event(at(6, 0), 1, 22));
        try (var h = harness(guard(false))) {
            h.initializeEmptyState();
            h.open();
            for (Ingested r : records) {
                h.processElement(r, 0);
            }
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(records);
        }
    }

    @Test
    void restoredStartIsNotChecked() throws Exception {
        OperatorSubtaskState saved;
        try (var before = harness(guard(false))) {
            before.initializeEmptyState();
            before.open();
            saved = before.snapshot(1, 0);
        }
        tablesHoldWindowsUpTo(at(9, 0), at(9, 0));
        try (var after = harness(guard(false))) {
            after.initializeState(saved);
            after.open();
            after.processElement(event(at(5, 30), 0, 42), 0);
            assertThat(after.extractOutputValues()).containsExactly(event(at(5, 30), 0, 42));
        }
    }

    @Test
    void theOverrideLetsAStartOverNewerWindowsThrough() throws Exception {
        tablesHoldWindowsUpTo(at(9, 0), at(9, 0));
        try (var h = harness(guard(true))) {
            h.initializeEmptyState();
            h.open();
            h.processElement(event(at(5, 30), 0, 42), 0);
            assertThat(h.extractOutputValues()).containsExactly(event(at(5, 30), 0, 42));
        }
    }

    @Test
    void unreachablePostgresRefusesTheStartOnceTheDeadlinePasses() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        StatelessStartGuard guard =
                new StatelessStartGuard(
                        TOPIC, MINUTE, postgres(closedPort, SECRET), false, Duration.ofSeconds(1));
        long start = System.nanoTime();
        try (var h = harness(guard)) {
            assertThatThrownBy(h::initializeEmptyState)
                    .satisfies(
                            e -> {
                                assertThat(
                                                ExceptionUtils.findThrowable(
                                                        e, SuppressRestartsException.class))
                                        .isPresent();
                                String line =
                                        ExceptionUtils.findThrowable(
                                                        e, StatelessStartRefusedException.class)
                                                .orElseThrow()
                                                .getMessage();
                                assertThat(line)
                                        .startsWith(
                                                "Refusing to start without state: could not read"
                                                        + " the newest windows from PostgreSQL at"
                                                        + " jdbc:postgresql://localhost:"
                                                        + closedPort
                                                        + "/postgres")
                                        .contains("within 1 s (Connection to localhost:")
                                        .endsWith(
                                                "Start again once PostgreSQL answers."
                                                        + StartCheck.WHAT_TO_DO)
                                        .doesNotContain("\n")
                                        .doesNotContain(SECRET);
                            });
        }
        // Retried until the deadline (500 ms, then 1 s would pass it), not for the default minute.
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isBetween(Duration.ofMillis(400), Duration.ofSeconds(10));
    }
}
