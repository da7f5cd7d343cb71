package com.streampulse.job.config;

import com.streampulse.config.ConfigException;
import com.streampulse.config.Settings;
import com.streampulse.job.anomaly.AnomalySettings;
import java.io.Serializable;
import java.time.Duration;

/**
 * The outputs beyond the original (issue 16), each with its switch: trending content, anomaly
 * alerts on learned baselines (beside the fixed thresholds, which can be switched off too), and
 * download sessions.
 */
public record Features(
        boolean fixedAlerts,
        boolean trending,
        Duration trendingWindow,
        int trendingTopN,
        AnomalySettings anomaly,
        boolean sessions,
        Duration sessionGap,
        int sessionBufferedUsers)
        implements Serializable {

    static Features from(Settings s, Duration window) {
        // 15 windows: 15 minutes at the default 1-minute window.
        Duration trendingWindow = s.duration("TRENDING_WINDOW", window.multipliedBy(15), window);
        if (trendingWindow.toMillis() % window.toMillis() != 0) {
            throw new ConfigException(
                    "TRENDING_WINDOW must be a multiple of WINDOW_SIZE ("
                            + window.toMillis()
                            + "ms), got "
                            + trendingWindow.toMillis()
                            + "ms");
        }
        double warning = s.decimal("ANOMALY_WARNING_SIGMAS", 3.0, 0.5, 100.0);
        double critical = s.decimal("ANOMALY_CRITICAL_SIGMAS", 5.0, 0.5, 100.0);
        if (critical < warning) {
            throw new ConfigException(
                    "ANOMALY_CRITICAL_SIGMAS must be at least ANOMALY_WARNING_SIGMAS ("
                            + warning
                            + "), got "
                            + critical);
        }
        double alpha = s.decimal("ANOMALY_ALPHA", 0.05, 0.001, 1.0);
        boolean hourOfDay = s.bool("ANOMALY_HOUR_OF_DAY", false);
        if (hourOfDay && Duration.ofHours(1).toMillis() % window.toMillis() != 0) {
            // Otherwise a window would straddle two hours and belong to neither profile.
            throw new ConfigException(
                    "ANOMALY_HOUR_OF_DAY needs a WINDOW_SIZE that divides an hour, got "
                            + window.toMillis()
                            + "ms");
        }
        // Off unless asked for: what they cost is in BENCHMARKS.md (issue 16).
        boolean sessions = s.bool("SESSIONS_ENABLED", false);
        Duration gap = s.duration("SESSION_GAP", Duration.ofMinutes(30), Duration.ofSeconds(1));
        if (sessions && gap.compareTo(window) < 0) {
            // Sessions are built from each user's sums per window, one session each: exact only
            // if two downloads in one window can never be a gap apart.
            throw new ConfigException(
                    "SESSION_GAP must be at least WINDOW_SIZE ("
                            + window.toMillis()
                            + "ms), got "
                            + gap.toMillis()
                            + "ms");
        }
        return new Features(
                s.bool("FIXED_ALERTS_ENABLED", true),
                // Off unless asked for: ranking every title per region costs about seven eighths
                // of the throughput at the catalog shape (BENCHMARKS.md, issue 16).
                s.bool("TRENDING_ENABLED", false),
                trendingWindow,
                s.integer("TRENDING_TOP_N", 10, 1, 1000),
                new AnomalySettings(
                        s.bool("ANOMALY_ENABLED", true),
                        alpha,
                        // A tenth: an incident that lasts must not teach the baseline it is normal.
                        alpha / 10,
                        s.integer("ANOMALY_WARMUP_WINDOWS", 30, 1, 100_000),
                        s.integer("ANOMALY_MIN_EVENTS", 20, 1, Integer.MAX_VALUE),
                        warning,
                        critical,
                        hourOfDay),
                sessions,
                gap,
                // Per Sessions subtask, ~250 bytes of heap each: room for the catalog shape's
                // 1 M users at parallelism 2 between two checkpoints (BENCHMARKS.md, sessions).
                s.integer("SESSION_BUFFERED_USERS", 500_000, 1, 100_000_000));
    }

    /** For the start banner. */
    String describe() {
        return "fixed alerts "
                + (fixedAlerts ? "on" : "off")
                + "; trending "
                + (trending
                        ? "top " + trendingTopN + " over " + trendingWindow.toSeconds() + " s"
                        : "off")
                + "; anomalies "
                + (anomaly.enabled()
                        ? "warm-up "
                                + anomaly.warmUpWindows()
                                + ", "
                                + anomaly.warningSigmas()
                                + "σ/"
                                + anomaly.criticalSigmas()
                                + "σ, α "
                                + anomaly.alpha()
                                + ", "
                                + anomaly.minEvents()
                                + " events minimum"
                                + (anomaly.hourOfDay() ? ", one baseline per hour of day" : "")
                        : "off")
                + "; sessions "
                + (sessions
                        ? "gap "
                                + sessionGap.toSeconds()
                                + " s, "
                                + sessionBufferedUsers
                                + " buffered users"
                        : "off");
    }
}
