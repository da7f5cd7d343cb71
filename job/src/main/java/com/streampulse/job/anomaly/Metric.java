package com.streampulse.job.anomaly;

import com.streampulse.job.records.WindowCounts;

/** The three per-region metrics with a learned baseline, and which way of them is bad. */
public enum Metric {
    /** Share of downloads that did not succeed; only a rise is an anomaly. */
    ERROR_RATE("ANOMALY_ERROR_RATE", "error_rate", Direction.HIGH),
    /** Average speed over all downloads; only a fall is an anomaly. */
    SPEED("ANOMALY_SPEED", "avg_speed_mbps", Direction.LOW),
    /** Downloads in the window; a surge and a collapse are both anomalies. */
    VOLUME("ANOMALY_VOLUME", "downloads", Direction.BOTH);

    /** Which deviations from the baseline count. */
    public enum Direction {
        HIGH,
        LOW,
        BOTH
    }

    public final String alertType;
    public final String metricName;
    public final Direction direction;

    Metric(String alertType, String metricName, Direction direction) {
        this.alertType = alertType;
        this.metricName = metricName;
        this.direction = direction;
    }

    public double value(WindowCounts c) {
        return switch (this) {
            case ERROR_RATE -> c.errorRate();
            case SPEED -> c.averageSpeedMbps();
            case VOLUME -> c.total;
        };
    }

    /**
     * The smallest standard deviation the metric is judged with: one percentage point of error
     * rate, 2 % of the usual speed, and the Poisson noise of the usual volume. Without a floor a
     * baseline learned on perfectly steady traffic would call the first wobble an anomaly.
     */
    public double sigmaFloor(double mean) {
        return switch (this) {
            case ERROR_RATE -> 0.01;
            case SPEED -> Math.max(0.1, 0.02 * Math.abs(mean));
            case VOLUME -> Math.sqrt(Math.max(1.0, mean));
        };
    }

    /** Whether the metric learns from, and is judged on, a window of {@code total} events. */
    public boolean applies(long total, int minEvents) {
        // The volume of a quiet window is exactly what the volume rule is about; it only needs
        // a region that is usually busy enough.
        return this == VOLUME ? total > 0 : total >= minEvents;
    }
}
