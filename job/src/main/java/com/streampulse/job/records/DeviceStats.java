package com.streampulse.job.records;

/** One row of {@code device_stats}: a device and OS version's downloads in one window. */
public record DeviceStats(
        long windowStart,
        long windowEnd,
        String device,
        String osVersion,
        long totalDownloads,
        long successfulDownloads,
        long failedDownloads,
        double avgSpeedMbps,
        double avgDurationSeconds) {

    public static DeviceStats of(WindowCounts c, long windowEnd) {
        return new DeviceStats(
                c.windowStart,
                windowEnd,
                c.key,
                c.detail,
                c.total,
                c.successful,
                c.failed,
                c.averageSpeedMbps(),
                c.averageDurationSeconds());
    }
}
