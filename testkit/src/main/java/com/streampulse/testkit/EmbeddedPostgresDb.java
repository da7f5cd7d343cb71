package com.streampulse.testkit;

import com.streampulse.schemas.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * A real PostgreSQL server from Maven Central's embedded binaries, with the StreamPulse migrations
 * applied. The data directory is either temporary or, for {@code make run}, kept.
 */
public final class EmbeddedPostgresDb implements AutoCloseable {

    public static final String DATABASE = "postgres";
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private final EmbeddedPostgres postgres;
    private Path tlsCertificate;

    private EmbeddedPostgresDb(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** A throwaway server on a free port, migrated. */
    public static EmbeddedPostgresDb start() {
        return start(null, 0);
    }

    /**
     * A server whose data lives in {@code dataDirectory} (null: a temporary one) on {@code port}
     * (0: any free port), migrated.
     */
    public static EmbeddedPostgresDb start(Path dataDirectory, int port) {
        return start(dataDirectory, port, EmbeddedPostgres.builder());
    }

    /**
     * A throwaway server that also serves TLS, with a self-signed certificate made for it, so
     * clients can connect with {@code sslmode=require}.
     */
    public static EmbeddedPostgresDb startWithTls() {
        return startWithTls(SelfSignedCertificate.create("localhost"));
    }

    /**
     * A throwaway server that serves TLS with a self-signed certificate naming only the host name
     * {@code localhost} (no IP address), so a client that verifies the host name accepts {@code
     * localhost} and refuses {@code 127.0.0.1}. {@link #tlsCertificate()} is the CA to trust.
     */
    public static EmbeddedPostgresDb startWithTlsForLocalhostOnly() {
        return startWithTls(SelfSignedCertificate.create("localhost", "dns:localhost"));
    }

    private static EmbeddedPostgresDb startWithTls(Path dir) {
        EmbeddedPostgresDb db =
                start(
                        null,
                        0,
                        EmbeddedPostgres.builder()
                                .setServerConfig("ssl", "on")
                                .setServerConfig(
                                        "ssl_cert_file", dir.resolve("server.crt").toString())
                                .setServerConfig(
                                        "ssl_key_file", dir.resolve("server.key").toString()));
        db.tlsCertificate = dir.resolve("server.crt");
        return db;
    }

    /**
     * The server's self-signed certificate (PEM), which is also its CA: what a client passes as
     * {@code sslrootcert} to verify it. Null for a server without TLS.
     */
    public Path tlsCertificate() {
        return tlsCertificate;
    }

    private static EmbeddedPostgresDb start(
            Path dataDirectory, int port, EmbeddedPostgres.Builder builder) {
        try {
            if (dataDirectory != null) {
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            if (port > 0) {
                builder.setPort(port);
            }
            EmbeddedPostgresDb db = new EmbeddedPostgresDb(builder.start());
            Migrations.apply(db.dataSource());
            return db;
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL server", e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/" + DATABASE;
    }

    public DataSource dataSource() {
        return postgres.getPostgresDatabase();
    }

    /**
     * Empties every StreamPulse table (every table the migrations created, except Flyway's
     * history), so one server can serve many tests and a new migration's table needs no edit here.
     */
    public void truncateAll() {
        try (Connection c = dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute(
                    "DO $$ DECLARE t text; BEGIN SELECT string_agg(quote_ident(tablename), ', ')"
                            + " INTO t FROM pg_tables WHERE schemaname = 'public' AND tablename <>"
                            + " 'flyway_schema_history'; IF t IS NOT NULL THEN EXECUTE 'TRUNCATE '"
                            + " || t || ' RESTART IDENTITY'; END IF; END $$");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not truncate the StreamPulse tables", e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new IllegalStateException("Could not stop the embedded PostgreSQL server", e);
        }
    }
}
