package com.streampulse.job.trending;

/**
 * One row of {@code trending_content}, keyed by (scope, window end, rank).
 *
 * @param scope a region, or {@code global}
 * @param previousDownloads the content's downloads in the window of the same length just before
 * @param growth (downloads − previous) / previous; null when the content was not downloaded before
 */
public record TrendingRow(
        String scope,
        long windowStart,
        long windowEnd,
        int rank,
        String contentId,
        String title,
        long downloads,
        long previousDownloads,
        Double growth) {}
