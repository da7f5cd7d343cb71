package com.streampulse.job.records;

/** One row of {@code content_stats}: a content's downloads in one window. */
public record ContentStats(
        long windowStart,
        long windowEnd,
        String contentId,
        String title,
        long downloadCount,
        long successfulDownloads,
        long failedDownloads,
        double totalSizeGb) {

    public static ContentStats of(WindowCounts c, long windowEnd) {
        return new ContentStats(
                c.windowStart,
                windowEnd,
                c.key,
                c.detail,
                c.total,
                c.successful,
                c.failed,
                c.successfulSizeGb());
    }
}
