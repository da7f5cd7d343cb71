package com.streampulse.job.alerting;

import java.time.Instant;

/**
 * One row of {@code alert_outbox}: an alert raised, changed in severity or resolved, as the {@code
 * alerts} trigger recorded it.
 *
 * @param previousSeverity the severity that was firing before a change of severity, else null
 */
public record AlertChange(
        long id,
        boolean firing,
        String alertType,
        String severity,
        String previousSeverity,
        String message,
        String scope,
        String scopeKey,
        String region,
        String contentId,
        String metricName,
        double metricValue,
        double thresholdValue,
        Instant windowStart,
        Instant windowEnd,
        Instant changedAt) {}
