package com.streampulse.job.faults;

import static com.streampulse.testkit.EmbeddedPostgresDb.DATABASE;
import static com.streampulse.testkit.EmbeddedPostgresDb.PASSWORD;
import static com.streampulse.testkit.EmbeddedPostgresDb.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.config.Settings;
import com.streampulse.job.config.PostgresSettings;
import com.streampulse.testkit.EmbeddedPostgresDb;
import com.streampulse.testkit.TcpProxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What each PostgreSQL timeout of the job's JDBC URL does against a real server, directly through
 * pgjdbc (the sinks and the migrations connect with that URL): the statement timeout cancels one
 * slow statement but not a long batch of quick ones, and on a black hole (the testkit's proxy) a
 * blocked read and a new connection both fail within their timeouts instead of hanging.
 */
class PostgresTimeoutsIT {

    private static EmbeddedPostgresDb db;
    private TcpProxy proxy;

    @BeforeAll
    static void startDatabase() {
        db = EmbeddedPostgresDb.start();
    }

    @AfterAll
    static void stopDatabase() {
        db.close();
    }

    @BeforeEach
    void startProxy() throws SQLException {
        proxy = TcpProxy.to(db.port());
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS timeouts_probe");
            s.execute("CREATE TABLE timeouts_probe (x int)");
        }
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    /**
     * pgjdbc sends a batch as one pipeline with a single Sync (every 256 statements at most); the
     * statement timeout still applies to each statement, so a checkpoint's large flush is not cut
     * short, while one stuck statement is cancelled and leaves the connection usable.
     */
    @Test
    void statementTimeoutCancelsOneSlowStatementButNotALongBatch() throws Exception {
        PostgresSettings pg = settings("PG_STATEMENT_TIMEOUT", "1s");
        try (Connection c = connect(pg)) {
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO timeouts_probe SELECT ? FROM pg_sleep(0.3)")) {
                for (int i = 0; i < 8; i++) {
                    ps.setInt(1, i);
                    ps.addBatch();
                }
                long start = System.nanoTime();
                ps.executeBatch();
                assertThat(millisSince(start)).as("8 × 0.3 s in one batch").isGreaterThan(2_000);
            }
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO timeouts_probe SELECT ? FROM pg_sleep(1.5)")) {
                ps.setInt(1, 99);
                ps.addBatch();
                assertThatThrownBy(ps::executeBatch)
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("canceling statement due to statement timeout")
                        .satisfies(
                                e ->
                                        assertThat(((SQLException) e).getSQLState())
                                                .isEqualTo("57014"));
            }
            assertThat(c.isValid(2)).as("the connection survives a cancelled statement").isTrue();
            try (Statement s = c.createStatement();
                    var rows = s.executeQuery("SELECT count(*) FROM timeouts_probe")) {
                rows.next();
                assertThat(rows.getLong(1)).isEqualTo(8);
            }
        }
    }

    /**
     * The two waits a sink goes through on a black hole: its batch's read, then the reconnect the
     * JDBC connector tries before it gives up.
     */
    @Test
    void blackHoleFailsABlockedReadAfterTheSocketTimeoutAndAReconnectAfterTheLoginTimeout()
            throws Exception {
        PostgresSettings pg =
                settings(
                        "PG_CONNECT_TIMEOUT", "1s",
                        "PG_LOGIN_TIMEOUT", "2s",
                        "PG_SOCKET_TIMEOUT", "3s",
                        "PG_STATEMENT_TIMEOUT", "2s");
        try (Connection c = connect(pg);
                PreparedStatement ps =
                        c.prepareStatement("INSERT INTO timeouts_probe VALUES (?)")) {
            ps.setInt(1, 1);
            ps.addBatch();
            ps.executeBatch();

            proxy.blackHole();
            ps.setInt(1, 2);
            ps.addBatch();
            long start = System.nanoTime();
            assertThatThrownBy(ps::executeBatch)
                    .isInstanceOf(SQLException.class)
                    .hasStackTraceContaining("Read timed out");
            long readFailedAfter = millisSince(start);

            start = System.nanoTime();
            assertThatThrownBy(() -> connect(pg).close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("Connection attempt timed out");
            long reconnectFailedAfter = millisSince(start);

            System.out.printf(
                    "Black hole: blocked read failed after %d ms (socket timeout 3 s), reconnect"
                            + " after %d ms (login timeout 2 s)%n",
                    readFailedAfter, reconnectFailedAfter);
            assertThat(readFailedAfter).isBetween(3_000L, 6_000L);
            assertThat(reconnectFailedAfter).isBetween(2_000L, 5_000L);
        }
    }

    private PostgresSettings settings(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("PG_HOST", "127.0.0.1");
        env.put("PG_PORT", Integer.toString(proxy.port()));
        env.put("PG_DATABASE", DATABASE);
        env.put("PG_USER", USER);
        env.put("PG_SSLMODE", "disable");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return PostgresSettings.from(Settings.of(env));
    }

    private static Connection connect(PostgresSettings pg) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("password", PASSWORD);
        return DriverManager.getConnection(pg.jdbcUrl(), props);
    }

    private static long millisSince(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }
}
