package com.streampulse.job.trending;

import com.streampulse.job.trending.TopN.Trend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Trending, phase one: keyed by a bucket of content ids, it keeps each content's downloads per
 * window (per region and for {@code global}) and, every time event time passes a window end, sends
 * its own top N of every scope for the sliding window that ends there. Phase two ({@link
 * TrendingRanker}) merges the buckets' lists; a content lives in one bucket, so the top N of the
 * merged lists is the top N of all contents.
 *
 * <p>Input: the pre-aggregator's partial sums, stamped with their window's last millisecond, so
 * every on-time partial of a window is here before the watermark passes it. A partial that comes
 * after (a late update within the allowed lateness) changes the sliding windows that contain its
 * window, or whose previous window does, and those already sent are sent again on the next
 * watermark, once for all the late partials that came in between.
 */
public final class TrendingBuckets
        extends KeyedProcessFunction<Integer, ContentDownloads, Ranking> {

    private static final long serialVersionUID = 1L;

    public static final String GLOBAL = "global";

    private final long slideMillis;
    private final long lengthMillis;
    private final long latenessMillis;
    private final int topN;

    /** scope + NUL + content id → downloads per window start. */
    private transient MapState<String, MinuteSeries> series;

    private transient ValueState<BucketClock> clock;

    /**
     * @param slideMillis the job's window size: rankings are sent for every window end
     * @param lengthMillis the sliding window's length, a multiple of the slide
     */
    public TrendingBuckets(long slideMillis, long lengthMillis, long latenessMillis, int topN) {
        this.slideMillis = slideMillis;
        this.lengthMillis = lengthMillis;
        this.latenessMillis = latenessMillis;
        this.topN = topN;
    }

    /** The bucket of a content: a fixed number, independent of the parallelism. */
    public static int bucket(String contentId, int buckets) {
        return Math.floorMod(contentId.hashCode(), buckets);
    }

    @Override
    public void open(OpenContext openContext) {
        series =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "series",
                                        Types.STRING,
                                        TypeInformation.of(MinuteSeries.class)));
        clock =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "clock", TypeInformation.of(BucketClock.class)));
    }

    @Override
    public void processElement(ContentDownloads d, Context ctx, Collector<Ranking> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        if (d.windowStart() + slideMillis - 1 + latenessMillis <= watermark) {
            // Closed for good: the stats windows drop it too (into dropped_partials).
            return;
        }
        add(d.region(), d);
        add(GLOBAL, d);
        BucketClock c = clock.value() == null ? BucketClock.NEW : clock.value();
        long lateFrom = c.lateFrom();
        long windowEnd = d.windowStart() + slideMillis;
        if (windowEnd <= c.published()) {
            lateFrom = Math.min(lateFrom, d.windowStart());
            // On the next watermark; never before the last window sent (after a restore the
            // watermark starts from nothing).
            ctx.timerService().registerEventTimeTimer(Math.max(watermark + 1, c.published()));
        } else {
            ctx.timerService().registerEventTimeTimer(windowEnd - 1);
        }
        clock.update(
                new BucketClock(
                        c.published(), lateFrom, Math.max(c.newestStart(), d.windowStart())));
    }

    private void add(String scope, ContentDownloads d) throws Exception {
        String key = scope + '\u0000' + d.contentId();
        MinuteSeries s = series.get(key);
        if (s == null) {
            s = new MinuteSeries();
        }
        s.add(d.title(), d.windowStart(), d.downloads());
        series.put(key, s);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<Ranking> out) throws Exception {
        BucketClock c = clock.value();
        if (c == null) {
            return;
        }
        // Window ends to (re)send: those a late partial changed, then the new ones up to now
        // that can still have downloads in them.
        long newestDue =
                Math.min(
                        time + 1 - Math.floorMod(time + 1, slideMillis),
                        c.newestStart() + lengthMillis);
        TreeMap<Long, Map<String, TopN>> due = new TreeMap<>();
        if (c.lateFrom() != Long.MAX_VALUE) {
            long lastAffected = Math.min(c.published(), c.lateFrom() + 2 * lengthMillis);
            for (long end = c.lateFrom() + slideMillis; end <= lastAffected; end += slideMillis) {
                due.put(end, new HashMap<>());
            }
        }
        long firstNew =
                c.published() == Long.MIN_VALUE
                        ? oldestStart() + slideMillis
                        : c.published() + slideMillis;
        for (long end = firstNew; end <= newestDue; end += slideMillis) {
            due.put(end, new HashMap<>());
        }
        if (!due.isEmpty()) {
            rank(due);
            send(due, ctx.getCurrentKey(), out);
        }
        long published = due.isEmpty() ? c.published() : Math.max(c.published(), due.lastKey());
        // A window that ended more than the lateness ago cannot change, nor can those that
        // count its downloads as their previous window's.
        if (forget(time - latenessMillis - 2 * lengthMillis)) {
            series.clear();
            clock.clear();
            return;
        }
        clock.update(new BucketClock(published, Long.MAX_VALUE, c.newestStart()));
        long next = published + slideMillis;
        ctx.timerService()
                .registerEventTimeTimer(
                        next <= c.newestStart() + lengthMillis
                                ? next - 1
                                : c.newestStart() + latenessMillis + 2 * lengthMillis + 1);
    }

    /** One pass over the bucket's contents for every due window end. */
    private void rank(TreeMap<Long, Map<String, TopN>> due) throws Exception {
        for (Map.Entry<String, MinuteSeries> e : series.entries()) {
            String key = e.getKey();
            int nul = key.indexOf('\u0000');
            String scope = key.substring(0, nul);
            String contentId = key.substring(nul + 1);
            MinuteSeries s = e.getValue();
            for (Map.Entry<Long, Map<String, TopN>> window : due.entrySet()) {
                long end = window.getKey();
                long downloads = s.sum(end - lengthMillis, end);
                if (downloads > 0) {
                    long previous = s.sum(end - 2 * lengthMillis, end - lengthMillis);
                    window.getValue()
                            .computeIfAbsent(scope, k -> new TopN(topN))
                            .offer(new Trend(contentId, s.title, downloads, previous));
                }
            }
        }
    }

    private static void send(
            TreeMap<Long, Map<String, TopN>> due, int bucket, Collector<Ranking> out) {
        for (Map.Entry<Long, Map<String, TopN>> window : due.entrySet()) {
            List<String> scopes = new ArrayList<>(window.getValue().keySet());
            scopes.sort(null);
            for (String scope : scopes) {
                out.collect(
                        Ranking.of(
                                scope,
                                window.getKey(),
                                bucket,
                                window.getValue().get(scope).ranked()));
            }
        }
    }

    /** The oldest window start held; only asked when there is at least one. */
    private long oldestStart() throws Exception {
        long oldest = Long.MAX_VALUE - slideMillis;
        for (MinuteSeries s : series.values()) {
            if (s.starts.length > 0) {
                oldest = Math.min(oldest, s.starts[0]);
            }
        }
        return oldest;
    }

    /**
     * Drops downloads no open window can count any more, and contents left with none; true when the
     * bucket is empty.
     */
    private boolean forget(long before) throws Exception {
        boolean empty = true;
        Iterator<Map.Entry<String, MinuteSeries>> it = series.iterator();
        while (it.hasNext()) {
            Map.Entry<String, MinuteSeries> e = it.next();
            MinuteSeries s = e.getValue();
            if (s.starts.length > 0 && s.starts[0] < before) {
                if (s.forgetBefore(before)) {
                    it.remove();
                    continue;
                }
                e.setValue(s);
            }
            empty = false;
        }
        return empty;
    }
}
