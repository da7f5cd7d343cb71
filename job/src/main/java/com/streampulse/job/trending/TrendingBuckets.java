package com.streampulse.job.trending;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;
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
 * Trending, phase one: keyed by a bucket of content ids, it keeps the bucket's downloads per window
 * (one {@link MinuteCounts} per window start, per content and region) and, every time event time
 * passes a window end, sends its own top N of every scope ({@code global} and each region) for the
 * sliding window that ends there. Phase two ({@link TrendingRanker}) merges the buckets' lists; a
 * content lives in one bucket, so the top N of the merged lists is the top N of all contents.
 *
 * <p>Input: the pre-aggregator's batches, one per bucket and flush, stamped with their window's
 * last millisecond, so every on-time batch of a window is here before the watermark passes it. A
 * batch that comes after (a late update within the allowed lateness) changes the sliding windows
 * that contain its window, or whose previous window does. Those already sent are ranked again and
 * sent at the next window end, in the same pass as the new window: late data reaches {@code
 * trending_content} at most one slide of event time after it arrived, and costs one pass per slide
 * however often the watermark moves.
 */
public final class TrendingBuckets extends KeyedProcessFunction<Integer, TrendingBatch, Ranking> {

    private static final long serialVersionUID = 1L;

    public static final String GLOBAL = "global";

    private final long slideMillis;
    private final long lengthMillis;
    private final long latenessMillis;
    private final int topN;

    /** Window start → the bucket's downloads in it. */
    private transient MapState<Long, MinuteCounts> minutes;

    /**
     * Window start → late downloads not yet in {@link #minutes}. The pre-aggregator sends late
     * partials on every watermark; adding them to this small value and folding it into the window's
     * once per slide spares a read and rewrite of the whole window per late batch.
     */
    private transient MapState<Long, MinuteCounts> late;

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

    /**
     * The bucket of a content: a fixed number, independent of the parallelism. From the hash code's
     * mixed middle bits, not its low ones: hash maps of one bucket's contents index by the low
     * bits, and contents that all shared them would pile into a few tree bins.
     */
    public static int bucket(String contentId, int buckets) {
        return Math.floorMod((contentId.hashCode() * 0x9E3779B9) >>> 16, buckets);
    }

    @Override
    public void open(OpenContext openContext) {
        minutes =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "minutes",
                                        Types.LONG,
                                        TypeInformation.of(MinuteCounts.class)));
        late =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "late",
                                        Types.LONG,
                                        TypeInformation.of(MinuteCounts.class)));
        clock =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "clock", TypeInformation.of(BucketClock.class)));
    }

    @Override
    public void processElement(TrendingBatch batch, Context ctx, Collector<Ranking> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        long start = batch.windowStart;
        if (start + slideMillis - 1 + latenessMillis <= watermark) {
            // Closed for good: the stats windows drop it too (into dropped_partials).
            return;
        }
        BucketClock c = clock.value() == null ? BucketClock.NEW : clock.value();
        long windowEnd = start + slideMillis;
        boolean ranked = windowEnd <= c.published();
        add(ranked ? late : minutes, start, batch.counts);
        long lateFrom = ranked ? Math.min(c.lateFrom(), start) : c.lateFrom();
        // On time: when the watermark passes the window. Late: at the next window end, with the
        // next window (after a restore the watermark starts from nothing, the clock does not).
        long due =
                Math.max(
                        windowEnd, Math.max(nextWindowEnd(watermark), c.published() + slideMillis));
        ctx.timerService().registerEventTimeTimer(due - 1);
        clock.update(new BucketClock(c.published(), lateFrom, Math.max(c.newestStart(), start)));
    }

    private static void add(MapState<Long, MinuteCounts> to, long start, MinuteCounts counts)
            throws Exception {
        MinuteCounts before = to.get(start);
        to.put(start, before == null ? counts : MinuteCounts.merge(before, counts));
    }

    /** The first window end the watermark has not passed yet. */
    private long nextWindowEnd(long watermark) {
        return watermark == Long.MIN_VALUE
                ? Long.MIN_VALUE
                : (Math.floorDiv(watermark + 1, slideMillis) + 1) * slideMillis;
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<Ranking> out) throws Exception {
        BucketClock c = clock.value();
        if (c == null) {
            return;
        }
        // Window ends to (re)send: those a late batch changed, then the new ones up to now that
        // can still have downloads in them.
        long newestDue =
                Math.min(
                        time + 1 - Math.floorMod(time + 1, slideMillis),
                        c.newestStart() + lengthMillis);
        TreeSet<Long> due = new TreeSet<>();
        if (c.lateFrom() != Long.MAX_VALUE) {
            for (Map.Entry<Long, MinuteCounts> e : late.entries()) {
                add(minutes, e.getKey(), e.getValue());
            }
            late.clear();
            long lastAffected = Math.min(c.published(), c.lateFrom() + 2 * lengthMillis);
            for (long end = c.lateFrom() + slideMillis; end <= lastAffected; end += slideMillis) {
                due.add(end);
            }
        }
        long firstNew =
                c.published() == Long.MIN_VALUE
                        ? oldestStart() + slideMillis
                        : c.published() + slideMillis;
        for (long end = firstNew; end <= newestDue; end += slideMillis) {
            due.add(end);
        }
        if (!due.isEmpty()) {
            Map<Long, MinuteCounts> needed = new HashMap<>();
            for (long start = due.first() - 2 * lengthMillis;
                    start < due.last();
                    start += slideMillis) {
                MinuteCounts m = minutes.get(start);
                if (m != null) {
                    needed.put(start, m);
                }
            }
            new SlidingRanking(slideMillis, lengthMillis, topN)
                    .rank(ctx.getCurrentKey(), needed, due)
                    .forEach(out::collect);
        }
        long published = due.isEmpty() ? c.published() : Math.max(c.published(), due.last());
        // A window that ended more than the lateness ago cannot change, nor can those that
        // count its downloads as their previous window's.
        if (forget(time - latenessMillis - 2 * lengthMillis)) {
            minutes.clear();
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

    /** The oldest window start held; only asked when there is at least one. */
    private long oldestStart() throws Exception {
        long oldest = Long.MAX_VALUE - slideMillis;
        for (Long start : minutes.keys()) {
            oldest = Math.min(oldest, start);
        }
        return oldest;
    }

    /** Drops the windows starting before {@code before}; true when none is left. */
    private boolean forget(long before) throws Exception {
        boolean empty = true;
        Iterator<Long> it = minutes.keys().iterator();
        while (it.hasNext()) {
            if (it.next() < before) {
                it.remove();
            } else {
                empty = false;
            }
        }
        return empty;
    }
}
