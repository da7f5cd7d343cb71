package com.streampulse.job.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.config.Settings;
import com.streampulse.job.config.PostgresSettings;
import com.streampulse.testkit.EmbeddedPostgresDb;
import com.streampulse.testkit.SelfSignedCertificate;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job's PostgreSQL settings with {@code PG_SSLMODE=require}: against a server that serves TLS
 * the connection is encrypted (PostgreSQL's own pg_stat_ssl says so); against one that does not,
 * the connection is refused with a clear error rather than falling back to plain text. With {@code
 * verify-full} and {@code PG_SSLROOTCERT}, the server is verified: the right CA and host name
 * connect, another CA or a name the certificate does not hold are refused.
 */
class PostgresTlsIT {

    /** Serves TLS with a certificate that names only "localhost"; shared by the TLS cases. */
    private static EmbeddedPostgresDb tls;

    @BeforeAll
    static void start() {
        tls = EmbeddedPostgresDb.startWithTlsForLocalhostOnly();
    }

    @AfterAll
    static void stop() {
        tls.close();
    }

    private static PostgresSettings require(EmbeddedPostgresDb db) {
        return settings(db, "localhost", "require", null);
    }

    private static PostgresSettings settings(
            EmbeddedPostgresDb db, String host, String sslMode, Path rootCert) {
        Map<String, String> env = new HashMap<>();
        env.put("PG_HOST", host);
        env.put("PG_PORT", Integer.toString(db.port()));
        env.put("PG_DATABASE", EmbeddedPostgresDb.DATABASE);
        env.put("PG_USER", EmbeddedPostgresDb.USER);
        env.put("PG_PASSWORD", EmbeddedPostgresDb.PASSWORD);
        env.put("PG_SSLMODE", sslMode);
        if (rootCert != null) {
            env.put("PG_SSLROOTCERT", rootCert.toString());
        }
        return PostgresSettings.from(Settings.of(env));
    }

    private static Connection connect(PostgresSettings pg) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("password", pg.password().value());
        return DriverManager.getConnection(pg.jdbcUrl(), props);
    }

    @Test
    void requireGivesAnEncryptedConnectionToATlsServer() throws Exception {
        try (Connection c = connect(require(tls));
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

    /**
     * What the chart sets up with postgres.tls.caSecret: PG_SSLMODE=verify-full and PG_SSLROOTCERT
     * naming the mounted CA. The server's certificate names only "localhost".
     */
    @Test
    void verifyFullConnectsOnlyWithTheRightCaAndHostName() throws Exception {
        Path otherCa = SelfSignedCertificate.create("localhost").resolve("server.crt");
        PostgresSettings rightCa = settings(tls, "localhost", "verify-full", tls.tlsCertificate());
        assertThat(rightCa.jdbcUrl()).contains("&sslrootcert=");
        try (Connection c = connect(rightCa);
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getBoolean("ssl")).isTrue();
        }

        assertThatThrownBy(
                        () -> connect(settings(tls, "localhost", "verify-full", otherCa)).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("SSL error")
                .hasStackTraceContaining("PKIX path");

        assertThatThrownBy(
                        () ->
                                connect(
                                                settings(
                                                        tls,
                                                        "127.0.0.1",
                                                        "verify-full",
                                                        tls.tlsCertificate()))
                                        .close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("127.0.0.1");
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
