package com.streampulse.job.trending;

import com.streampulse.job.trending.TopN.Trend;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Trending, phase two: keyed by scope, it merges every bucket's top N per open window into the
 * scope's top N as the lists arrive, writes the windows that changed on the next watermark (once
 * for all the buckets that sent in between), and only the ranks whose row changed since it last
 * wrote them. A window's ranking only ever gains downloads, so its number of ranks never shrinks
 * and no row is deleted.
 *
 * <p>Why a bucket's new list can simply replace its entries in the merged top N, without keeping
 * every bucket's list: a bucket's counts only grow, so its new list ranks at least as high, place
 * by place, as its old one. A content of another bucket that the old entries kept out is still kept
 * out by as many new ones, and an old entry missing from the new list has N contents of its own
 * bucket above it. So the merged top N after a list is the top N of the merged entries of the other
 * buckets and the new list: one small value per window, read and written per list.
 */
public final class TrendingRanker extends KeyedProcessFunction<String, Ranking, TrendingRow> {

    private static final long serialVersionUID = 1L;

    private final long lengthMillis;
    private final long retentionMillis;
    private final int topN;

    /** Window end → the scope's top N over the buckets' latest lists, with each entry's bucket. */
    private transient MapState<Long, Ranking> merged;

    /** Window end → the ranking as last written. */
    private transient MapState<Long, Ranking> published;

    /** Window ends whose merged top N changed since the last write (a few): one value. */
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
        merged =
                getRuntimeContext()
                        .getMapState(new MapStateDescriptor<>("merged", Types.LONG, ranking));
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
        long windowEnd = bucket.windowEnd;
        Ranking before = merged.get(windowEnd);
        merged.put(windowEnd, replace(before, bucket, topN));
        if (before == null) {
            // Kept until no late batch can change the window any more.
            ctx.timerService().registerEventTimeTimer(windowEnd - 1 + retentionMillis);
        }

        // Timers are state writes too: one per list costs as much as the merge, so a scope
        // registers its write timer with the first change after a write, and each retention
        // timer when its window arrives.
        long[] windows = changed.value();
        if (windows == null) {
            changed.update(new long[] {windowEnd});
            ctx.timerService().registerEventTimeTimer(ctx.timerService().currentWatermark() + 1);
        } else if (Arrays.stream(windows).noneMatch(w -> w == windowEnd)) {
            long[] more = Arrays.copyOf(windows, windows.length + 1);
            more[windows.length] = windowEnd;
            changed.update(more);
        }
    }

    /**
     * The top N of a merged top N (null: none yet) with one bucket's entries replaced by its new
     * list, each entry with its bucket; neither input changes.
     */
    static Ranking replace(Ranking merged, Ranking bucket, int n) {
        TopN top = new TopN(n);
        Map<String, Integer> bucketOf = new HashMap<>();
        if (merged != null) {
            for (int i = 0; i < merged.contentIds.length; i++) {
                if (merged.buckets[i] != bucket.bucket) {
                    top.offer(
                            merged.contentIds[i],
                            merged.titles[i],
                            merged.downloads[i],
                            merged.previous[i]);
                    bucketOf.put(merged.contentIds[i], merged.buckets[i]);
                }
            }
        }
        for (int i = 0; i < bucket.contentIds.length; i++) {
            top.offer(
                    bucket.contentIds[i],
                    bucket.titles[i],
                    bucket.downloads[i],
                    bucket.previous[i]);
            bucketOf.put(bucket.contentIds[i], bucket.bucket);
        }
        List<Trend> ranked = top.ranked();
        Ranking now = Ranking.of(bucket.scope, bucket.windowEnd, 0, ranked);
        now.buckets = ranked.stream().mapToInt(t -> bucketOf.get(t.contentId())).toArray();
        return now;
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<TrendingRow> out)
            throws Exception {
        long[] windows = changed.value();
        if (windows != null) {
            changed.clear();
            Arrays.sort(windows);
            for (long windowEnd : windows) {
                Ranking m = merged.get(windowEnd);
                if (m != null) {
                    publish(ctx.getCurrentKey(), windowEnd, m.trends(), out);
                }
            }
        }
        // The window whose retention ends now (each has a timer at that time).
        long expired = time + 1 - retentionMillis;
        merged.remove(expired);
        published.remove(expired);
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
