package com.streampulse.job.records;

/**
 * One row of {@code alerts}, keyed by (type, scope, scope key, window). Written on every firing of
 * its window: a breaking firing raises or updates it, a later firing that no longer breaks the rule
 * marks it resolved.
 *
 * @param resolved true when this firing no longer breaks the rule; severity and threshold then stay
 *     those of the last raise
 */
public record AlertRow(
        String alertType,
        String severity,
        String message,
        String scope,
        String scopeKey,
        String region,
        String contentId,
        String metricName,
        double metricValue,
        double thresholdValue,
        long windowStart,
        long windowEnd,
        boolean resolved) {}
