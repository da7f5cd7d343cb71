package com.streampulse.job.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.config.Settings;
import com.streampulse.job.config.PostgresSettings;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The job's PostgreSQL settings with {@code PG_SSLMODE=require}: against a server that serves TLS
 * the connection is encrypted (PostgreSQL's own pg_stat_ssl says so); against one that does not,
 * the connection is refused with a clear error rather than falling back to plain text.
 */
class PostgresTlsIT {

    private static PostgresSettings require(EmbeddedPostgresDb db) {
        return PostgresSettings.from(
                Settings.of(
                        Map.of(
                                "PG_HOST",
                                "localhost",
                                "PG_PORT",
                                Integer.toString(db.port()),
                                "PG_DATABASE",
                                EmbeddedPostgresDb.DATABASE,
                                "PG_USER",
                                EmbeddedPostgresDb.USER,
                                "PG_PASSWORD",
                                EmbeddedPostgresDb.PASSWORD,
                                "PG_SSLMODE",
                                "require")));
    }

    private static Connection connect(PostgresSettings pg) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("password", pg.password().value());
        return DriverManager.getConnection(pg.jdbcUrl(), props);
    }

    @Test
    void requireGivesAnEncryptedConnectionToATlsServer() throws Exception {
        try (EmbeddedPostgresDb db = EmbeddedPostgresDb.startWithTls();
                Connection c = connect(require(db));
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "SELECT ssl, version FROM pg_stat_ssl"
                                        + " WHERE pid = pg_backend_pid()")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getBoolean("ssl")).isTrue();
            assertThat(r.getString("version")).startsWith("TLS");
        }
    }

    @Test
    void requireRefusesAServerWithoutTls() {
        try (EmbeddedPostgresDb db = EmbeddedPostgresDb.start()) {
            assertThatThrownBy(() -> connect(require(db)).close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("does not support SSL");
        }
    }
}
