package com.streampulse.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.config.Secret;
import com.streampulse.job.config.PostgresSettings;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sinks' upserts as the job sends them: one JDBC batch over the URL the job builds. A window
 * fires again within one batch whenever a late event updates it before the next flush (or an
 * alert's severity changes), so a batch can hold two rows with the same key; the later one must
 * win, as if they had been written one after the other.
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
        PostgresSettings pg =
                new PostgresSettings(
                        "localhost",
                        db.port(),
                        EmbeddedPostgresDb.DATABASE,
                        EmbeddedPostgresDb.USER,
                        new Secret(EmbeddedPostgresDb.PASSWORD),
                        "disable",
                        false);
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
        try (PreparedStatement ps = connection.prepareStatement(JdbcSinks.ALERTS)) {
            alert(ps, "WARNING", 0.2, 0.10);
            alert(ps, "CRITICAL", 0.3, 0.20);
            ps.executeBatch();
        }

        assertThat(query("SELECT severity || ' ' || threshold_value FROM alerts"))
                .isEqualTo("CRITICAL 0.2");
    }

    @Test
    void windowFiredTwiceInOneBatchKeepsTheLaterCounts() throws Exception {
        try (PreparedStatement ps = connection.prepareStatement(JdbcSinks.CONTENT_STATS)) {
            contentStats(ps, 8);
            contentStats(ps, 9);
            ps.executeBatch();
        }

        assertThat(query("SELECT download_count::text FROM content_stats")).isEqualTo("9");
    }

    private static void alert(PreparedStatement ps, String severity, double value, double threshold)
            throws Exception {
        ps.setString(1, "HIGH_ERROR_RATE");
        ps.setString(2, severity);
        ps.setString(3, "content mov_1: error rate");
        ps.setString(4, "content");
        ps.setString(5, "mov_1");
        ps.setString(6, null);
        ps.setString(7, "mov_1");
        ps.setString(8, "error_rate");
        ps.setDouble(9, value);
        ps.setDouble(10, threshold);
        ps.setObject(11, JdbcSinks.time(TEN));
        ps.setObject(12, JdbcSinks.time(TEN + 60_000));
        ps.setBoolean(13, false);
        ps.addBatch();
    }

    private static void contentStats(PreparedStatement ps, long downloads) throws Exception {
        ps.setObject(1, JdbcSinks.time(TEN));
        ps.setObject(2, JdbcSinks.time(TEN + 60_000));
        ps.setString(3, "mov_1");
        ps.setString(4, "Title One");
        ps.setLong(5, downloads);
        ps.setLong(6, downloads);
        ps.setLong(7, 0);
        ps.setDouble(8, 1.0);
        ps.addBatch();
    }

    private String query(String sql) throws Exception {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            String value = rs.getString(1);
            assertThat(rs.next()).as("exactly one row").isFalse();
            return value;
        }
    }
}
