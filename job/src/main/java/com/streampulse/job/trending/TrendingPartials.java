package com.streampulse.job.trending;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One window's downloads per region and content in a pre-aggregator, grouped by the bucket their
 * content id belongs to, so a flush sends one {@link TrendingBatch} per bucket.
 */
public final class TrendingPartials {

    private final long windowStart;
    private final MinuteCounts.Builder[] buckets;
    private final Map<String, Integer> regionIndex = new HashMap<>();
    private final List<String> regions = new ArrayList<>();

    public TrendingPartials(long windowStart, int buckets) {
        this.windowStart = windowStart;
        this.buckets = new MinuteCounts.Builder[buckets];
    }

    /** One download; true when the (region, content) pair is new in this window. */
    public boolean add(String region, String contentId, String title) {
        int b = TrendingBuckets.bucket(contentId, buckets.length);
        if (buckets[b] == null) {
            buckets[b] = new MinuteCounts.Builder(regionIndex, regions);
        }
        return buckets[b].add(region, contentId, title, 1);
    }

    /**
     * Sends one batch per bucket with downloads, and forgets them.
     *
     * @return the number of (region, content) pairs sent
     */
    public int drain(Consumer<TrendingBatch> out) {
        int pairs = 0;
        for (int b = 0; b < buckets.length; b++) {
            if (buckets[b] != null) {
                MinuteCounts counts = buckets[b].build();
                pairs += counts.entries();
                out.accept(new TrendingBatch(b, windowStart, counts));
                buckets[b] = null;
            }
        }
        return pairs;
    }
}
