package com.streampulse.job.records;

/** One row of {@code region_health}: a region's downloads in one window. */
public record RegionHealth(
        long windowStart,
        long windowEnd,
        String region,
        long totalDownloads,
        long successfulDownloads,
        long failedDownloads,
        double successRate,
        double avgSpeedMbps,
        double avgDurationSeconds) {

    public static RegionHealth of(WindowCounts c, long windowEnd) {
        return new RegionHealth(
                c.windowStart,
                windowEnd,
                c.key,
                c.total,
                c.successful,
                c.failed,
                c.successRate(),
                c.averageSpeedMbps(),
                c.averageDurationSeconds());
    }
}
