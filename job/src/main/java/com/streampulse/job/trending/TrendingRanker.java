package com.streampulse.job.trending;

import com.streampulse.job.trending.TopN.Trend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Trending, phase two: keyed by scope, it keeps every bucket's latest top N per open window, merges
 * them into the scope's top N on the next watermark (once for all the buckets that sent in
 * between), and writes only the ranks whose row changed since it last wrote them. A window's
 * ranking only ever gains downloads, so its number of ranks never shrinks and no row is deleted.
 *
 * <p>Each bucket's list is its own state entry, so a list that arrives costs one write, not a read
 * and rewrite of every bucket's lists for the window; and only the windows that received a list
 * since the last merge are merged again (the others' lists are not even deserialized).
 */
public final class TrendingRanker extends KeyedProcessFunction<String, Ranking, TrendingRow> {

    private static final long serialVersionUID = 1L;

    private final long lengthMillis;
    private final long retentionMillis;
    private final int topN;

    /** (window end, bucket) → the bucket's candidates. */
    private transient MapState<Tuple2<Long, Integer>, Ranking> candidates;

    /** Window end → the ranking as last written. */
    private transient MapState<Long, Ranking> published;

    /**
     * Window ends that received a bucket's list since the last merge (a few): one value, so reading
     * and clearing it are point operations, not a RocksDB iteration over deleted entries.
     */
    private transient ValueState<long[]> changed;

    /**
     * @param slideMillis how long after the lateness a bucket may still re-send a window: it sends
     *     late changes at the next window end
     */
    public TrendingRanker(long slideMillis, long lengthMillis, long latenessMillis, int topN) {
        this.lengthMillis = lengthMillis;
        this.retentionMillis = latenessMillis + slideMillis;
        this.topN = topN;
    }

    @Override
    public void open(OpenContext openContext) {
        TypeInformation<Ranking> ranking = TypeInformation.of(Ranking.class);
        candidates =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "bucket-candidates",
                                        Types.TUPLE(Types.LONG, Types.INT),
                                        ranking));
        published =
                getRuntimeContext()
                        .getMapState(new MapStateDescriptor<>("published", Types.LONG, ranking));
        changed =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "changed",
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement(Ranking bucket, Context ctx, Collector<TrendingRow> out)
            throws Exception {
        candidates.put(Tuple2.of(bucket.windowEnd, bucket.bucket), bucket);
        long[] windows = changed.value();
        if (windows == null) {
            changed.update(new long[] {bucket.windowEnd});
        } else if (Arrays.stream(windows).noneMatch(w -> w == bucket.windowEnd)) {
            long[] more = Arrays.copyOf(windows, windows.length + 1);
            more[windows.length] = bucket.windowEnd;
            changed.update(more);
        }
        // Kept until no late batch can change the window any more.
        ctx.timerService().registerEventTimeTimer(bucket.windowEnd - 1 + retentionMillis);
        ctx.timerService().registerEventTimeTimer(ctx.timerService().currentWatermark() + 1);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<TrendingRow> out)
            throws Exception {
        Set<Long> toMerge = new HashSet<>();
        long[] windows = changed.value();
        if (windows != null) {
            Arrays.stream(windows).forEach(toMerge::add);
            changed.clear();
        }
        TreeMap<Long, TopN> merged = new TreeMap<>();
        List<Tuple2<Long, Integer>> done = new ArrayList<>();
        for (Map.Entry<Tuple2<Long, Integer>, Ranking> e : candidates.entries()) {
            long windowEnd = e.getKey().f0;
            if (windowEnd - 1 + retentionMillis <= time) {
                done.add(e.getKey());
            }
            if (toMerge.contains(windowEnd)) {
                TopN top = merged.computeIfAbsent(windowEnd, k -> new TopN(topN));
                Ranking r = e.getValue();
                for (int i = 0; i < r.contentIds.length; i++) {
                    top.offer(r.contentIds[i], r.titles[i], r.downloads[i], r.previous[i]);
                }
            }
        }
        for (Map.Entry<Long, TopN> window : merged.entrySet()) {
            publish(ctx.getCurrentKey(), window.getKey(), window.getValue().ranked(), out);
        }
        for (Tuple2<Long, Integer> key : done) {
            candidates.remove(key);
            published.remove(key.f0);
        }
    }

    private void publish(
            String scope, long windowEnd, List<Trend> ranked, Collector<TrendingRow> out)
            throws Exception {
        Ranking before = published.get(windowEnd);
        List<Trend> old = before == null ? List.of() : before.trends();
        for (int i = 0; i < ranked.size(); i++) {
            Trend t = ranked.get(i);
            if (i < old.size() && old.get(i).equals(t)) {
                continue;
            }
            out.collect(
                    new TrendingRow(
                            scope,
                            windowEnd - lengthMillis,
                            windowEnd,
                            i + 1,
                            t.contentId(),
                            t.title(),
                            t.downloads(),
                            t.previousDownloads(),
                            t.previousDownloads() == 0
                                    ? null
                                    : (double) (t.downloads() - t.previousDownloads())
                                            / t.previousDownloads()));
        }
        published.put(windowEnd, Ranking.of(scope, windowEnd, 0, ranked));
    }
}
