package com.streampulse.job.trending;

/**
 * The downloads of one bucket of content ids in one window, per content and region, from one flush
 * of one pre-aggregator: what trending is built from. Several may arrive for the same bucket and
 * window; they add up.
 */
public class TrendingBatch {

    public int bucket;
    public long windowStart;
    public MinuteCounts counts;

    public TrendingBatch() {}

    public TrendingBatch(int bucket, long windowStart, MinuteCounts counts) {
        this.bucket = bucket;
        this.windowStart = windowStart;
        this.counts = counts;
    }
}
