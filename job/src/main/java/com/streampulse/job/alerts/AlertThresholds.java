package com.streampulse.job.alerts;

import java.io.Serializable;

/**
 * When a window raises an alert. Error rate = 1 − successful / total (cancelled downloads count as
 * not successful, as in the original); a window needs {@code minEvents} events before any rule
 * looks at it.
 */
public record AlertThresholds(
        int minEvents, double errorRateWarning, double errorRateCritical, double slowSpeedMbps)
        implements Serializable {

    public static final AlertThresholds DEFAULTS = new AlertThresholds(5, 0.10, 0.20, 10.0);
}
