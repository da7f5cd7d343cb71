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
        boolean allowStatelessStart) {

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
        return new JobConfig(
                KafkaSettings.from(s),
                PostgresSettings.from(s),
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
                s.bool(ALLOW_STATELESS_START, false));
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
                "Start guard: "
                        + (allowStatelessStart
                                ? "off ("
                                        + ALLOW_STATELESS_START
                                        + "=true), a start without state"
                                        + " may overwrite newer windows"
                                : "a start without state over newer windows is refused"));
    }
}
