package com.streampulse.job.anomaly;

import com.streampulse.job.records.WindowCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Judges one region window against its baseline: pure functions, no state. */
public final class AnomalyRules {

    private AnomalyRules() {}

    /**
     * One verdict per metric that is warmed up and applies to the window; a verdict with a null
     * severity means the window is normal for that metric.
     */
    public static List<Anomaly> judge(
            String region, WindowCounts c, Baseline b, AnomalySettings s) {
        List<Anomaly> verdicts = new ArrayList<>(3);
        for (Metric metric : Metric.values()) {
            Ewma baseline = b.of(metric);
            if (baseline.samples() < s.warmUpWindows()
                    || !metric.applies(c.total, s.minEvents())
                    || (metric == Metric.VOLUME && baseline.mean() < s.minEvents())) {
                continue;
            }
            verdicts.add(judge(region, metric, metric.value(c), baseline, s));
        }
        return verdicts;
    }

    static Anomaly judge(String region, Metric metric, double value, Ewma b, AnomalySettings s) {
        double sigma = b.sigma(metric.sigmaFloor(b.mean()));
        double deviation = (value - b.mean()) / sigma;
        double bad =
                switch (metric.direction) {
                    case HIGH -> deviation;
                    case LOW -> -deviation;
                    case BOTH -> Math.abs(deviation);
                };
        String severity = null;
        double sigmas = s.warningSigmas();
        if (bad >= s.criticalSigmas()) {
            severity = "CRITICAL";
            sigmas = s.criticalSigmas();
        } else if (bad >= s.warningSigmas()) {
            severity = "WARNING";
        }
        boolean above =
                metric.direction == Metric.Direction.HIGH
                        || (metric.direction == Metric.Direction.BOTH && deviation >= 0);
        double threshold = b.mean() + (above ? sigmas : -sigmas) * sigma;
        String message =
                String.format(
                        Locale.ROOT,
                        "region %s: %s %s vs usual %s ± %s (%+.1fσ)",
                        region,
                        metric.metricName,
                        format(metric, value),
                        format(metric, b.mean()),
                        format(metric, sigma),
                        deviation);
        return new Anomaly(metric, severity, value, threshold, b.mean(), deviation, message);
    }

    private static String format(Metric metric, double v) {
        return switch (metric) {
            case ERROR_RATE -> String.format(Locale.ROOT, "%.1f%%", v * 100);
            case SPEED -> String.format(Locale.ROOT, "%.2f Mbps", v);
            case VOLUME -> String.format(Locale.ROOT, "%.1f", v);
        };
    }

    /**
     * The verdict on one metric of one window.
     *
     * @param severity null when the window is normal
     * @param threshold the bound the value crossed (or would have to cross): mean ± k·σ
     * @param expected the baseline's mean
     * @param deviation (value − mean) / σ
     */
    public record Anomaly(
            Metric metric,
            String severity,
            double value,
            double threshold,
            double expected,
            double deviation,
            String message) {

        public boolean breaks() {
            return severity != null;
        }
    }
}
