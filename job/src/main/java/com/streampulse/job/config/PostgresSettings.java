package com.streampulse.job.config;

import com.streampulse.config.ConfigException;
import com.streampulse.config.Secret;
import com.streampulse.config.Settings;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How to reach PostgreSQL: the original StreamPulse variables plus port, TLS, migration and the
 * network timeouts.
 *
 * <p>{@code sslRootCert} (PG_SSLROOTCERT, null when unset) is the PEM file of the CA that signed
 * the server's certificate. {@code verify-ca} and {@code verify-full} need it: without it pgjdbc
 * looks for {@code ~/.postgresql/root.crt}, which no container has.
 */
public record PostgresSettings(
        String host,
        int port,
        String database,
        String user,
        Secret password,
        String sslMode,
        boolean migrate,
        PostgresTimeouts timeouts,
        String sslRootCert) {

    /** Without a CA file. */
    public PostgresSettings(
            String host,
            int port,
            String database,
            String user,
            Secret password,
            String sslMode,
            boolean migrate,
            PostgresTimeouts timeouts) {
        this(host, port, database, user, password, sslMode, migrate, timeouts, null);
    }

    /** With the default timeouts. */
    public PostgresSettings(
            String host,
            int port,
            String database,
            String user,
            Secret password,
            String sslMode,
            boolean migrate) {
        this(host, port, database, user, password, sslMode, migrate, PostgresTimeouts.DEFAULTS);
    }

    public static PostgresSettings from(Settings settings) {
        String sslMode = settings.string("PG_SSLMODE", "prefer").toLowerCase(Locale.ROOT);
        if (!sslMode.matches("disable|allow|prefer|require|verify-ca|verify-full")) {
            throw new ConfigException(
                    "PG_SSLMODE must be disable, allow, prefer, require, verify-ca or verify-full,"
                            + " got '"
                            + sslMode
                            + "'");
        }
        String sslRootCert = settings.string("PG_SSLROOTCERT", null);
        if (sslRootCert != null && !Files.isReadable(Path.of(sslRootCert))) {
            throw new ConfigException(
                    "PG_SSLROOTCERT names no readable file: '" + sslRootCert + "'");
        }
        return new PostgresSettings(
                settings.required("PG_HOST"),
                settings.integer("PG_PORT", 5432, 1, 65535),
                settings.string("PG_DATABASE", "streampulse"),
                settings.required("PG_USER"),
                settings.secret("PG_PASSWORD"),
                sslMode,
                settings.bool("PG_MIGRATE", false),
                PostgresTimeouts.from(settings),
                sslRootCert);
    }

    /**
     * The JDBC URL, without credentials (they travel as connection properties, so the URL can be
     * logged).
     *
     * <p>No {@code reWriteBatchedInserts}: the sinks already write a batch as one statement over
     * arrays, with one row per key (see {@code UpsertTable}); only alerts go row by row, in order.
     *
     * <p>The sinks and the migrations both connect with it, so both carry the {@link
     * PostgresTimeouts}.
     */
    public String jdbcUrl() {
        return "jdbc:postgresql://"
                + host
                + ":"
                + port
                + "/"
                + database
                + "?sslmode="
                + sslMode
                + (sslRootCert == null
                        ? ""
                        : "&sslrootcert=" + URLEncoder.encode(sslRootCert, StandardCharsets.UTF_8))
                + "&ApplicationName=streampulse"
                + timeouts.urlParameters();
    }

    public String describe() {
        return host
                + ":"
                + port
                + "/"
                + database
                + " user="
                + user
                + " password="
                + password
                + " sslmode="
                + sslMode
                + (sslRootCert == null ? "" : " sslrootcert=" + sslRootCert);
    }

    @Override
    public String toString() {
        return "PostgresSettings[" + describe() + "]";
    }
}
