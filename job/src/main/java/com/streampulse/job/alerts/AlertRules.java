package com.streampulse.job.alerts;

import com.streampulse.job.records.WindowCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The alert rules of the original StreamPulse, as pure functions of one window's counts.
 *
 * <ul>
 *   <li>{@code HIGH_ERROR_RATE}, per region and per content: success rate below 0.90 is a WARNING,
 *       below 0.80 CRITICAL (reported as metric {@code error_rate} against 0.10 / 0.20).
 *   <li>{@code SLOW_DOWNLOADS}, per region: average speed below 10 Mbps is a WARNING.
 * </ul>
 */
public final class AlertRules {

    public static final String HIGH_ERROR_RATE = "HIGH_ERROR_RATE";
    public static final String SLOW_DOWNLOADS = "SLOW_DOWNLOADS";
    public static final String SCOPE_REGION = "region";
    public static final String SCOPE_CONTENT = "content";

    private AlertRules() {}

    /**
     * One verdict per rule that applies to the scope, or none when the window has too few events. A
     * verdict with a null severity means the rule holds.
     */
    public static List<Verdict> evaluate(String scope, WindowCounts c, AlertThresholds t) {
        List<Verdict> verdicts = new ArrayList<>(2);
        if (c.total < t.minEvents()) {
            return verdicts;
        }
        verdicts.add(errorRate(scope, c, t));
        if (scope.equals(SCOPE_REGION)) {
            verdicts.add(slowDownloads(c, t));
        }
        return verdicts;
    }

    private static Verdict errorRate(String scope, WindowCounts c, AlertThresholds t) {
        double errorRate = c.errorRate();
        String severity = null;
        double threshold = t.errorRateWarning();
        if (errorRate > t.errorRateCritical()) {
            severity = "CRITICAL";
            threshold = t.errorRateCritical();
        } else if (errorRate > t.errorRateWarning()) {
            severity = "WARNING";
        }
        String message =
                String.format(
                        Locale.ROOT,
                        "%s %s: error rate %.1f%% (%d of %d downloads not successful) above %.0f%%",
                        scope,
                        c.key,
                        errorRate * 100,
                        c.total - c.successful,
                        c.total,
                        threshold * 100);
        return new Verdict(HIGH_ERROR_RATE, severity, "error_rate", errorRate, threshold, message);
    }

    private static Verdict slowDownloads(WindowCounts c, AlertThresholds t) {
        double speed = c.averageSpeedMbps();
        String severity = speed < t.slowSpeedMbps() ? "WARNING" : null;
        String message =
                String.format(
                        Locale.ROOT,
                        "region %s: average speed %.2f Mbps below %.1f Mbps over %d downloads",
                        c.key,
                        // Rounded down, so a speed just under the threshold never prints as it.
                        Math.floor(speed * 100) / 100,
                        t.slowSpeedMbps(),
                        c.total);
        return new Verdict(
                SLOW_DOWNLOADS, severity, "avg_speed_mbps", speed, t.slowSpeedMbps(), message);
    }

    /** The outcome of one rule on one window; {@code severity} is null when the rule holds. */
    public record Verdict(
            String alertType,
            String severity,
            String metricName,
            double metricValue,
            double threshold,
            String message) {

        public boolean breaks() {
            return severity != null;
        }
    }
}
