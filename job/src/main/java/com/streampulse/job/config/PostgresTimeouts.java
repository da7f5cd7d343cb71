package com.streampulse.job.config;

import com.streampulse.config.ConfigException;
import com.streampulse.config.Settings;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * How long a sink or a migration waits on PostgreSQL before it gives up. Without them pgjdbc waits
 * forever on a connection whose packets are lost (a network black hole): the sink hangs, and with
 * it the task thread and every checkpoint. With them the sink fails, Flink restarts it from the
 * last checkpoint, and the idempotent upserts make the replay harmless.
 *
 * <ul>
 *   <li>{@code connect} (pgjdbc {@code connectTimeout}): the TCP connect. 10 s, pgjdbc's own
 *       default: a connect takes milliseconds, and 10 s still covers SYNs lost and resent after 1,
 *       3 and 7 s.
 *   <li>{@code login} (pgjdbc {@code loginTimeout}): the whole connection set-up, connect, TLS and
 *       authentication included. 20 s: normally well under a second, with room for a server slow to
 *       accept sessions.
 *   <li>{@code statement} (the server's {@code statement_timeout}, sent as a startup option): how
 *       long PostgreSQL lets one statement run. 30 s: an upsert touches one row by its key and
 *       takes well under a millisecond, and a sink writes a whole batch (5,000 rows by default) in
 *       one statement of tens of milliseconds, so 30 s means a lock wait or a stalled server. The
 *       server cancels it and the connection stays usable (alerts, written one statement per row,
 *       get 30 s per statement: checked on PostgreSQL 16 by {@code PostgresTimeoutsIT}). 0 sends
 *       nothing and leaves the server's setting (needed behind a pooler such as PgBouncer, which
 *       refuses unknown startup options).
 *   <li>{@code socket} (pgjdbc {@code socketTimeout}): the longest silence on an open connection
 *       while waiting for the server. 45 s: it must be longer than the statement timeout, so a slow
 *       statement is cancelled by the server (connection kept) before the client drops the socket;
 *       and a healthy write answers within its statement's run time, well under a second.
 * </ul>
 *
 * <p>A black hole therefore fails a sink after at most {@link #giveUpAfter()} (socket + login: the
 * batch's read times out, then the reconnect the sink tries first times out), which the checkpoint
 * timeout must exceed so the sink's own error, not an expired checkpoint, fails the job.
 */
public record PostgresTimeouts(
        Duration connect, Duration login, Duration socket, Duration statement) {

    public static final PostgresTimeouts DEFAULTS =
            new PostgresTimeouts(
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(20),
                    Duration.ofSeconds(45),
                    Duration.ofSeconds(30));

    /** Longer is no timeout in practice; pgjdbc also counts these in int seconds. */
    private static final Duration MAX = Duration.ofHours(1);

    public static PostgresTimeouts from(Settings settings) {
        Duration connect = seconds(settings, "PG_CONNECT_TIMEOUT", DEFAULTS.connect);
        Duration login = seconds(settings, "PG_LOGIN_TIMEOUT", DEFAULTS.login);
        Duration socket = seconds(settings, "PG_SOCKET_TIMEOUT", DEFAULTS.socket);
        Duration statement =
                atMostAnHour(
                        "PG_STATEMENT_TIMEOUT",
                        settings.duration(
                                "PG_STATEMENT_TIMEOUT", DEFAULTS.statement, Duration.ZERO));
        if (login.compareTo(connect) < 0) {
            throw new ConfigException(
                    "PG_LOGIN_TIMEOUT must be at least PG_CONNECT_TIMEOUT ("
                            + text(connect)
                            + "), it includes the connect; got "
                            + text(login));
        }
        if (!statement.isZero() && socket.compareTo(statement) <= 0) {
            throw new ConfigException(
                    "PG_SOCKET_TIMEOUT must be longer than PG_STATEMENT_TIMEOUT ("
                            + text(statement)
                            + "), so the server cancels a slow statement before the client drops"
                            + " the connection; got "
                            + text(socket));
        }
        return new PostgresTimeouts(connect, login, socket, statement);
    }

    /** pgjdbc takes these in whole seconds: anything else would be silently rounded. */
    private static Duration seconds(Settings settings, String name, Duration defaultValue) {
        Duration value = settings.duration(name, defaultValue, Duration.ofSeconds(1));
        if (value.toMillis() % 1000 != 0) {
            throw new ConfigException(
                    name
                            + " must be whole seconds (the driver counts in seconds), got "
                            + value.toMillis()
                            + "ms");
        }
        return atMostAnHour(name, value);
    }

    private static Duration atMostAnHour(String name, Duration value) {
        if (value.compareTo(MAX) > 0) {
            throw new ConfigException(name + " must be at most 1h, got " + text(value));
        }
        return value;
    }

    /**
     * The longest a sink waits on an unreachable server before it fails: a read blocked for the
     * socket timeout, then one reconnect blocked for the login timeout.
     */
    public Duration giveUpAfter() {
        return socket.plus(login);
    }

    /** The JDBC URL parameters, starting with {@code &}. */
    String urlParameters() {
        String parameters =
                "&connectTimeout="
                        + connect.toSeconds()
                        + "&loginTimeout="
                        + login.toSeconds()
                        + "&socketTimeout="
                        + socket.toSeconds();
        if (statement.isZero()) {
            return parameters;
        }
        String option = "-c statement_timeout=" + statement.toMillis();
        return parameters
                + "&options="
                + URLEncoder.encode(option, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public String describe() {
        return "connect "
                + text(connect)
                + ", login "
                + text(login)
                + ", socket "
                + text(socket)
                + ", statement "
                + (statement.isZero() ? "server's own" : text(statement));
    }

    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
