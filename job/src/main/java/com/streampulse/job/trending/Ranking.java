package com.streampulse.job.trending;

import com.streampulse.job.trending.TopN.Trend;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of {@link Trend}s as arrays, so Flink serializes it as a POJO (no Kryo): one bucket's top
 * N for a scope and window on the wire and in the ranker's state, and a scope's published ranking.
 */
public class Ranking {

    public String scope;
    public long windowEnd;
    public int bucket;
    public String[] contentIds = new String[0];
    public String[] titles = new String[0];
    public long[] downloads = new long[0];
    public long[] previous = new long[0];

    /** In the ranker's merged top N, each entry's bucket (empty on the wire). */
    public int[] buckets = new int[0];

    public Ranking() {}

    public static Ranking of(String scope, long windowEnd, int bucket, List<Trend> trends) {
        Ranking r = new Ranking();
        r.scope = scope;
        r.windowEnd = windowEnd;
        r.bucket = bucket;
        int n = trends.size();
        r.contentIds = new String[n];
        r.titles = new String[n];
        r.downloads = new long[n];
        r.previous = new long[n];
        for (int i = 0; i < n; i++) {
            Trend t = trends.get(i);
            r.contentIds[i] = t.contentId();
            r.titles[i] = t.title();
            r.downloads[i] = t.downloads();
            r.previous[i] = t.previousDownloads();
        }
        return r;
    }

    public List<Trend> trends() {
        List<Trend> trends = new ArrayList<>(contentIds.length);
        for (int i = 0; i < contentIds.length; i++) {
            trends.add(new Trend(contentIds[i], titles[i], downloads[i], previous[i]));
        }
        return trends;
    }
}
