package com.streampulse.job.config;

import com.streampulse.config.ConfigException;
import com.streampulse.config.KafkaSettings;
import com.streampulse.config.Settings;
import com.streampulse.job.alerts.AlertThresholds;
import java.time.Duration;
import java.util.List;

/**
 * Everything the job reads from its environment, typed, defaulted and validated. Built once in
 * {@code main()}; a missing or malformed value stops the start with one line naming the variable.
 */
public record JobConfig(
        KafkaSettings kafka,
        PostgresSettings postgres,
        Duration windowSize,
        Duration allowedLateness,
        Duration outOfOrderness,
        Duration idleness,
        Duration checkpointInterval,
        String checkpointDir,
        AlertThresholds alerts,
        int jdbcBatchSize,
        int maxBufferedKeys,
        Duration checkpointTimeout,
        int tolerableFailedCheckpoints,
        boolean allowStatelessStart,
        Features features) {

    /**
     * Five minutes: far above a healthy checkpoint (RocksDB incremental plus a flush of at most one
     * JDBC batch per sink), and well above the longest a sink waits on an unreachable database
     * ({@link PostgresTimeouts#giveUpAfter()}, 65 s by default), so a network fault fails the job
     * with the sink's own error instead of an expired checkpoint.
     */
    public static final Duration DEFAULT_CHECKPOINT_TIMEOUT = Duration.ofMinutes(5);

    /**
     * Three in a row. A failed checkpoint costs this job nothing in correctness (offsets and state
     * only move on a completed one, the sinks upsert idempotently); failing the job on the first
     * one turns a blip of the checkpoint storage, or one checkpoint expired under a burst of
     * backpressure, into a restart and a replay. Bounded, so checkpoints that keep failing still
     * restart the job: after 2 minutes of storage errors at the default 30 s interval, or 20
     * minutes of expiries.
     */
    public static final int DEFAULT_TOLERABLE_FAILED_CHECKPOINTS = 3;

    /**
     * Lets a start without restored state overwrite windows the tables already hold (see {@link
     * com.streampulse.job.guard.StatelessStartGuard}).
     */
    public static final String ALLOW_STATELESS_START = "ALLOW_STATELESS_START";

    public static JobConfig from(Settings s) {
        Duration window = s.duration("WINDOW_SIZE", Duration.ofSeconds(60), Duration.ofSeconds(1));
        if (Duration.ofDays(1).toMillis() % window.toMillis() != 0) {
            throw new ConfigException(
                    "WINDOW_SIZE must divide a day evenly (for example 10s, 1m, 5m), got "
                            + window.toMillis()
                            + "ms");
        }
        double warning = s.decimal("ALERT_ERROR_RATE_WARNING", 0.10, 0.0, 1.0);
        double critical = s.decimal("ALERT_ERROR_RATE_CRITICAL", 0.20, 0.0, 1.0);
        if (critical < warning) {
            throw new ConfigException(
                    "ALERT_ERROR_RATE_CRITICAL must be at least ALERT_ERROR_RATE_WARNING ("
                            + warning
                            + "), got "
                            + critical);
        }
        KafkaSettings kafka = KafkaSettings.from(s);
        PostgresSettings postgres = PostgresSettings.from(s);
        Duration checkpointTimeout =
                s.duration("CHECKPOINT_TIMEOUT", DEFAULT_CHECKPOINT_TIMEOUT, Duration.ofSeconds(1));
        Duration sinkGivesUp = postgres.timeouts().giveUpAfter();
        if (checkpointTimeout.compareTo(sinkGivesUp) <= 0) {
            throw new ConfigException(
                    "CHECKPOINT_TIMEOUT must be longer than PG_SOCKET_TIMEOUT + PG_LOGIN_TIMEOUT ("
                            + sinkGivesUp.toSeconds()
                            + "s, the longest a sink waits on an unreachable database), got "
                            + checkpointTimeout.toMillis()
                            + "ms");
        }
        return new JobConfig(
                kafka,
                postgres,
                window,
                s.duration("ALLOWED_LATENESS", Duration.ofMinutes(5), Duration.ZERO),
                s.duration("OUT_OF_ORDERNESS", Duration.ofSeconds(10), Duration.ZERO),
                s.duration("IDLENESS", Duration.ofSeconds(30), Duration.ofMillis(100)),
                s.duration("CHECKPOINT_INTERVAL", Duration.ofSeconds(30), Duration.ofMillis(100)),
                s.string("CHECKPOINT_DIR", null),
                new AlertThresholds(
                        s.integer("ALERT_MIN_EVENTS", 5, 1, Integer.MAX_VALUE),
                        warning,
                        critical,
                        s.decimal("ALERT_SLOW_SPEED_MBPS", 10.0, 0.0, 1_000_000.0)),
                s.integer("JDBC_BATCH_SIZE", 5000, 1, 1_000_000),
                s.integer("MAX_BUFFERED_KEYS", 100_000, 1, 100_000_000),
                checkpointTimeout,
                s.integer(
                        "TOLERABLE_FAILED_CHECKPOINTS",
                        DEFAULT_TOLERABLE_FAILED_CHECKPOINTS,
                        0,
                        1_000),
                s.bool(ALLOW_STATELESS_START, false),
                Features.from(s, window));
    }

    /** The resolved configuration for the start banner, secrets masked. */
    public List<String> describe() {
        return List.of(
                "Kafka:      " + kafka.describe(),
                "PostgreSQL: " + postgres.describe() + " migrate=" + postgres.migrate(),
                "Windows:    "
                        + windowSize.toSeconds()
                        + " s tumbling, allowed lateness "
                        + allowedLateness.toSeconds()
                        + " s, out-of-orderness "
                        + outOfOrderness.toMillis()
                        + " ms, idleness "
                        + idleness.toMillis()
                        + " ms",
                "Checkpoints: every "
                        + checkpointInterval.toMillis()
                        + " ms"
                        + (checkpointDir == null ? "" : " to " + checkpointDir),
                "Alerts:     "
                        + alerts.minEvents()
                        + " events minimum, error rate warning > "
                        + alerts.errorRateWarning()
                        + ", critical > "
                        + alerts.errorRateCritical()
                        + ", slow < "
                        + alerts.slowSpeedMbps()
                        + " Mbps",
                "Sinks:      JDBC batches of "
                        + jdbcBatchSize
                        + ", pre-aggregation buffer "
                        + maxBufferedKeys
                        + " keys",
                "Timeouts:   PostgreSQL "
                        + postgres.timeouts().describe()
                        + "; checkpoint "
                        + checkpointTimeout.toMillis()
                        + " ms, "
                        + tolerableFailedCheckpoints
                        + " failed in a row tolerated",
                "Features:   " + features.describe(),
                "Start guard: "
                        + (allowStatelessStart
                                ? "off ("
                                        + ALLOW_STATELESS_START
                                        + "=true), a start without state"
                                        + " may overwrite newer windows"
                                : "a start without state over newer windows is refused"));
    }
}
