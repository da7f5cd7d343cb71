package com.streampulse.job.anomaly;

import java.io.Serializable;

/**
 * How baselines learn and when a window is anomalous.
 *
 * @param alpha weight of a normal final window in the baseline (0.05: about the last 40 windows)
 * @param anomalousAlpha weight of a window that was itself anomalous, much smaller, so a long
 *     incident does not become the new normal
 * @param warmUpWindows final windows a metric must have learned from before it can alert
 * @param minEvents events a window needs to be judged (and to teach the rate and speed baselines)
 * @param warningSigmas deviations from the mean, in standard deviations, that raise a WARNING
 * @param criticalSigmas ... and a CRITICAL
 * @param hourOfDay one baseline per UTC hour of the day (each with its own warm-up), for traffic
 *     whose normal changes with the time of day; off: one baseline for all hours
 */
public record AnomalySettings(
        boolean enabled,
        double alpha,
        double anomalousAlpha,
        int warmUpWindows,
        int minEvents,
        double warningSigmas,
        double criticalSigmas,
        boolean hourOfDay)
        implements Serializable {

    public static final AnomalySettings DEFAULTS =
            new AnomalySettings(true, 0.05, 0.005, 30, 20, 3.0, 5.0, false);

    /** The same settings with the hour-of-day profile switched {@code on}. */
    public AnomalySettings withHourOfDay(boolean on) {
        return new AnomalySettings(
                enabled,
                alpha,
                anomalousAlpha,
                warmUpWindows,
                minEvents,
                warningSigmas,
                criticalSigmas,
                on);
    }
}
