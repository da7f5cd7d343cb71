package com.streampulse.job.trending;

/**
 * The downloads of one content in one region in one window: the pre-aggregator's partial sum that
 * trending is built from (several may arrive for the same key and window; they add up).
 */
public record ContentDownloads(
        String region, String contentId, String title, long windowStart, long downloads) {}
