package com.streampulse.job.anomaly;

import com.streampulse.job.records.WindowCounts;

/**
 * What is normal for one region: an exponentially weighted mean and variance per {@link Metric},
 * learned from final windows in the order of their start, so replaying the same log learns the same
 * baseline. Immutable.
 */
public record Baseline(Ewma errorRate, Ewma speed, Ewma volume) {

    public static final Baseline EMPTY = new Baseline(Ewma.EMPTY, Ewma.EMPTY, Ewma.EMPTY);

    public Ewma of(Metric metric) {
        return switch (metric) {
            case ERROR_RATE -> errorRate;
            case SPEED -> speed;
            case VOLUME -> volume;
        };
    }

    /**
     * This baseline after one more final window. A metric the window judges anomalous moves it with
     * {@link AnomalySettings#anomalousAlpha()} only, so an incident fades in slowly, if at all.
     */
    public Baseline learn(WindowCounts c, AnomalySettings s) {
        return new Baseline(
                learn(Metric.ERROR_RATE, c, s),
                learn(Metric.SPEED, c, s),
                learn(Metric.VOLUME, c, s));
    }

    private Ewma learn(Metric metric, WindowCounts c, AnomalySettings s) {
        Ewma current = of(metric);
        if (!metric.applies(c.total, s.minEvents())) {
            return current;
        }
        double value = metric.value(c);
        if (current.samples() < s.warmUpWindows()) {
            return current.learn(value, s.alpha());
        }
        double sigma = current.sigma(metric.sigmaFloor(current.mean()));
        double bound = s.warningSigmas() * sigma;
        if (Math.abs(value - current.mean()) < bound) {
            return current.learn(value, s.alpha());
        }
        // Clipped to the warning bound as well as weighted less: an outlier would otherwise
        // inflate the variance until the incident no longer looks like one.
        double clipped = current.mean() + Math.copySign(bound, value - current.mean());
        return current.learn(clipped, s.anomalousAlpha());
    }
}
