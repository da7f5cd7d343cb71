package com.streampulse.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.AlertRow;
import com.streampulse.job.records.AlertRow.Change;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The alert outbox (V5) as the job's own alert upserts fill it: one change per raise, change of
 * severity and resolution, and nothing for a replay, a stale write or a row born resolved.
 */
class AlertOutboxTriggerTest {

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
        connection = db.dataSource().getConnection();
    }

    @AfterEach
    void disconnect() throws Exception {
        connection.close();
    }

    @Test
    void aRaiseEnqueuesOneFiringChangeAndItsReplayNone() throws Exception {
        write(alert(Change.RAISE, "WARNING", 10));
        write(alert(Change.RAISE, "WARNING", 10));
        write(alert(Change.RAISE, "WARNING", 12));

        assertThat(outbox()).containsExactly("firing WARNING previous=null");
    }

    @Test
    void aChangeOfSeverityEnqueuesTheNewSeverityWithTheOldOne() throws Exception {
        write(alert(Change.RAISE, "WARNING", 10));
        write(alert(Change.RAISE, "CRITICAL", 12));

        assertThat(outbox())
                .containsExactly(
                        "firing WARNING previous=null", "firing CRITICAL previous=WARNING");
    }

    @Test
    void aResolutionEnqueuesTheSeverityThatWasFiring() throws Exception {
        write(alert(Change.RAISE, "CRITICAL", 10));
        write(alert(Change.RESOLVE, "WARNING", 30));
        write(alert(Change.RESOLVE, "WARNING", 30));
        write(alert(Change.RAISE, "WARNING", 31));

        assertThat(outbox())
                .containsExactly(
                        "firing CRITICAL previous=null",
                        "resolved CRITICAL previous=null",
                        "firing WARNING previous=null");
    }

    @Test
    void aStaleWriteOrARowBornResolvedEnqueuesNothing() throws Exception {
        write(alert(Change.RESOLVE, "WARNING", 20));
        write(alert(Change.RAISE, "CRITICAL", 10));
        write(alert(Change.WITHDRAW, null, 25));

        assertThat(outbox()).isEmpty();
    }

    private void write(AlertRow row) throws Exception {
        try (PreparedStatement ps = connection.prepareStatement(JdbcSinks.ALERTS_SQL)) {
            JdbcSinks.ALERT_VALUES.bind(ps, row);
            ps.executeUpdate();
        }
    }

    private List<String> outbox() throws Exception {
        List<String> rows = new ArrayList<>();
        try (Statement s = connection.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "SELECT state, severity, previous_severity, alert_id, delivered_at"
                                        + " FROM alert_outbox ORDER BY id")) {
            while (r.next()) {
                assertThat(r.getObject("delivered_at")).isNull();
                rows.add(r.getString(1) + " " + r.getString(2) + " previous=" + r.getString(3));
            }
        }
        return rows;
    }

    private static AlertRow alert(Change change, String severity, long events) {
        return new AlertRow(
                change,
                "HIGH_ERROR_RATE",
                severity,
                "region EU-Paris: error rate",
                "region",
                "EU-Paris",
                "EU-Paris",
                null,
                "error_rate",
                0.25,
                0.10,
                TEN,
                TEN + 60_000,
                events);
    }
}
