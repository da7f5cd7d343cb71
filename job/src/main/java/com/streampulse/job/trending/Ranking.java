package com.streampulse.job.trending;

import com.streampulse.job.trending.TopN.Trend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A list of {@link Trend}s as arrays, so Flink serializes it as a POJO (no Kryo): one bucket's
 * candidates for a scope and window on the wire, and a scope's candidates or published ranking in
 * state. {@code buckets[i]} says which bucket sent entry i (candidates only).
 */
public class Ranking {

    public String scope;
    public long windowEnd;
    public int bucket;
    public boolean dirty;
    public int[] buckets = new int[0];
    public String[] contentIds = new String[0];
    public String[] titles = new String[0];
    public long[] downloads = new long[0];
    public long[] previous = new long[0];

    public Ranking() {}

    public static Ranking of(String scope, long windowEnd, int bucket, List<Trend> trends) {
        Ranking r = new Ranking();
        r.scope = scope;
        r.windowEnd = windowEnd;
        r.bucket = bucket;
        r.set(trends, new int[trends.size()]);
        Arrays.fill(r.buckets, bucket);
        return r;
    }

    public List<Trend> trends() {
        List<Trend> trends = new ArrayList<>(contentIds.length);
        for (int i = 0; i < contentIds.length; i++) {
            trends.add(new Trend(contentIds[i], titles[i], downloads[i], previous[i]));
        }
        return trends;
    }

    /** Replaces the entries {@code from.bucket} sent before with its new ones. */
    public void replaceBucket(Ranking from) {
        List<Trend> kept = new ArrayList<>();
        List<Integer> keptBuckets = new ArrayList<>();
        List<Trend> all = trends();
        for (int i = 0; i < all.size(); i++) {
            if (buckets[i] != from.bucket) {
                kept.add(all.get(i));
                keptBuckets.add(buckets[i]);
            }
        }
        kept.addAll(from.trends());
        from.trends().forEach(t -> keptBuckets.add(from.bucket));
        set(kept, keptBuckets.stream().mapToInt(Integer::intValue).toArray());
    }

    void set(List<Trend> trends, int[] bucketOfEach) {
        int n = trends.size();
        buckets = bucketOfEach;
        contentIds = new String[n];
        titles = new String[n];
        downloads = new long[n];
        previous = new long[n];
        for (int i = 0; i < n; i++) {
            Trend t = trends.get(i);
            contentIds[i] = t.contentId();
            titles[i] = t.title();
            downloads[i] = t.downloads();
            previous[i] = t.previousDownloads();
        }
    }
}
