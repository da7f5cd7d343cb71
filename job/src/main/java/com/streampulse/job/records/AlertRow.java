package com.streampulse.job.records;

/**
 * What one firing of a window says about one alert rule, for the {@code alerts} row keyed by (type,
 * scope, scope key, window). Every firing writes the current verdict of every rule, so the row ends
 * as the window's last firing says, whatever happened in between (restarts included).
 *
 * @param severity the severity now ({@link Change#RAISE}), or the one the window's on-time events
 *     gave ({@link Change#RESOLVE}); null for {@link Change#WITHDRAW}, which keeps the row's own
 * @param windowEvents how many events the firing counted: a row is never replaced by one that
 *     counted fewer (a replayed or stale firing), see {@code JdbcSinks}
 * @param expectedValue what the learned baseline expected (anomaly alerts only, else null)
 * @param deviation how many standard deviations the value lies from it (anomaly alerts only)
 */
public record AlertRow(
        Change change,
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
        long windowEvents,
        Double expectedValue,
        Double deviation) {

    /** A fixed-threshold alert: no baseline, so no expected value or deviation. */
    public AlertRow(
            Change change,
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
            long windowEvents) {
        this(
                change,
                alertType,
                severity,
                message,
                scope,
                scopeKey,
                region,
                contentId,
                metricName,
                metricValue,
                thresholdValue,
                windowStart,
                windowEnd,
                windowEvents,
                null,
                null);
    }

    /** How the row changes. */
    public enum Change {
        /** The rule breaks: insert or update the row as active. */
        RAISE,
        /**
         * The rule holds, but broke on the window's on-time events: insert or update as resolved.
         */
        RESOLVE,
        /**
         * The rule holds now and held on the on-time events: resolve the row if an earlier firing
         * raised it on part of the late data, and insert nothing.
         */
        WITHDRAW
    }

    public boolean resolved() {
        return change != Change.RAISE;
    }
}
