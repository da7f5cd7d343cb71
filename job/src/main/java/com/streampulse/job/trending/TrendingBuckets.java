package com.streampulse.job.trending;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Trending, phase one: keyed by a bucket of content ids, it keeps the bucket's downloads per window
 * (one {@link MinuteCounts} per window start, per content and region) and, every time event time
 * passes a window end, sends its own top N of every scope ({@code global} and each region) for the
 * sliding window that ends there. Phase two ({@link TrendingRanker}) merges the buckets' lists; a
 * content lives in one bucket, so the top N of the merged lists is the top N of all contents.
 *
 * <p>A batch is stored as it comes, as a chunk of its window (no read and rewrite of the window's
 * whole value per batch: a pre-aggregator flushes a dozen times a minute at {@code catalog}); the
 * ranking pass that first reads a window merges its chunks into one value, once.
 *
 * <p>The sliding sums stay on the heap between passes ({@link SlidingRanking}, one per bucket, not
 * checkpointed), so a window end reads the three minutes that enter or leave the two windows
 * instead of all 2 × L of them, and so do the keys of the bucket's state: a pass gets the minutes
 * it needs by key, where iterating the map state copied every minute's value out of RocksDB, twice
 * a pass (to read and to forget). Both are derived from state: the first pass after a start or
 * restore builds them from it.
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

    /**
     * The bucket's downloads per window: under the window start, the merged value; under {@code
     * start + 1 + n} (n below the slide, see {@link BucketClock#chunks()}), batches not merged yet.
     * Both in one map so a window's pieces lie next to each other.
     */
    private transient MapState<Long, MinuteCounts> minutes;

    private transient ValueState<BucketClock> clock;

    /** Per bucket of this subtask, what the heap keeps of its state (none after a restore). */
    private transient Map<Integer, Derived> derived;

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

    /**
     * The key of each bucket, chosen so that bucket {@code b} lies in key group {@code b ×
     * maxParallelism / buckets}: the buckets then spread evenly over the subtasks at any
     * parallelism up to their number, where a few dozen keys hashed to key groups at random would
     * not (32 over two subtasks can split 20 to 12).
     *
     * @param buckets a divisor of {@code maxParallelism}
     */
    public static int[] keys(int buckets, int maxParallelism) {
        int step = maxParallelism / buckets;
        int[] keys = new int[buckets];
        boolean[] found = new boolean[buckets];
        int left = buckets;
        for (int key = 0; left > 0; key++) {
            int group = KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism);
            if (group % step == 0 && !found[group / step]) {
                found[group / step] = true;
                keys[group / step] = key;
                left--;
            }
        }
        return keys;
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
        clock =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "clock", TypeInformation.of(BucketClock.class)));
        derived = new HashMap<>();
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
        BucketClock stored = clock.value();
        BucketClock c = stored == null ? BucketClock.NEW : stored;
        long windowEnd = start + slideMillis;
        boolean ranked = windowEnd <= c.published();
        int chunks = c.chunks();
        long key;
        if (chunks + 1 < slideMillis) {
            key = start + 1 + chunks++;
            minutes.put(key, batch.counts);
        } else {
            // No chunk key left below the next window's start: merge into the window's value.
            key = start;
            MinuteCounts before = minutes.get(start);
            minutes.put(
                    start,
                    before == null ? batch.counts : MinuteCounts.merge(before, batch.counts));
        }
        Derived d = derived.get(ctx.getCurrentKey());
        if (d != null) {
            d.keys.add(key);
        }
        long lateFrom = c.lateFrom();
        if (ranked) {
            lateFrom = Math.min(lateFrom, start);
            if (d != null && d.sums != null) {
                d.sums.addLate(start, batch.counts);
            }
        }
        // On time: when the watermark passes the window. Late: at the next window end, with the
        // next window (after a restore the watermark starts from nothing, the clock does not).
        long due =
                Math.max(
                        windowEnd, Math.max(nextWindowEnd(watermark), c.published() + slideMillis));
        ctx.timerService().registerEventTimeTimer(due - 1);
        clock.update(
                new BucketClock(c.published(), lateFrom, Math.max(c.newestStart(), start), chunks));
    }

    /** The window start a key of {@link #minutes} belongs to. */
    private long startOf(long key) {
        return key - Math.floorMod(key, slideMillis);
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
        Derived d = derived(ctx.getCurrentKey());
        // Window ends to (re)send: those a late batch changed, then the new ones up to now that
        // can still have downloads in them.
        long newestDue =
                Math.min(
                        time + 1 - Math.floorMod(time + 1, slideMillis),
                        c.newestStart() + lengthMillis);
        TreeSet<Long> due = new TreeSet<>();
        if (c.lateFrom() != Long.MAX_VALUE) {
            long lastAffected = Math.min(c.published(), c.lateFrom() + 2 * lengthMillis);
            for (long end = c.lateFrom() + slideMillis; end <= lastAffected; end += slideMillis) {
                due.add(end);
            }
        }
        long firstNew =
                c.published() == Long.MIN_VALUE
                        ? startOf(d.keys.first()) + slideMillis
                        : c.published() + slideMillis;
        for (long end = firstNew; end <= newestDue; end += slideMillis) {
            due.add(end);
        }
        int chunks = c.chunks();
        if (!due.isEmpty()) {
            // None after a restore; sums a pass built from state stand at its last due end,
            // before the published one when it only ranked windows late data changed again.
            if (d.sums == null || d.sums.end() != c.published()) {
                d.sums = new SlidingRanking(slideMillis, lengthMillis, topN);
            }
            Map<Long, MinuteCounts> needed = new HashMap<>();
            boolean merged = read(d.keys, d.sums.needs(due), due.last(), needed);
            chunks = merged ? 0 : chunks;
            d.sums.rank(ctx.getCurrentKey(), needed, due).forEach(out::collect);
        }
        long published = due.isEmpty() ? c.published() : Math.max(c.published(), due.last());
        // A window that ended more than the lateness ago cannot change, nor can those that
        // count its downloads as their previous window's.
        if (forget(d.keys, time - latenessMillis - 2 * lengthMillis)) {
            clock.clear();
            derived.remove(ctx.getCurrentKey());
            return;
        }
        clock.update(new BucketClock(published, Long.MAX_VALUE, c.newestStart(), chunks));
        long next = published + slideMillis;
        ctx.timerService()
                .registerEventTimeTimer(
                        next <= c.newestStart() + lengthMillis
                                ? next - 1
                                : c.newestStart() + latenessMillis + 2 * lengthMillis + 1);
    }

    /** The bucket's keys and sums on the heap; the keys read from state when there are none. */
    private Derived derived(int bucket) throws Exception {
        Derived d = derived.get(bucket);
        if (d == null) {
            d = new Derived();
            for (long key : minutes.keys()) {
                d.keys.add(key);
            }
            derived.put(bucket, d);
        }
        return d;
    }

    /**
     * Puts the windows of {@code starts} into {@code into}, each as one value, and merges the
     * chunks of every window starting before {@code before} (late batches of windows not in {@code
     * starts} too), so chunk keys can be used again.
     *
     * @param keys the keys of {@link #minutes}, kept up to date
     * @return true when no chunk is left in state
     */
    private boolean read(
            TreeSet<Long> keys, Set<Long> starts, long before, Map<Long, MinuteCounts> into)
            throws Exception {
        Set<Long> windows = new HashSet<>(starts);
        for (long key : keys) {
            long start = startOf(key);
            if (key != start && start < before) {
                windows.add(start);
            }
        }
        TreeMap<Long, List<MinuteCounts>> pieces = new TreeMap<>();
        List<Long> chunkKeys = new ArrayList<>();
        boolean chunksLeft = false;
        for (long key : keys) {
            long start = startOf(key);
            boolean chunk = key != start;
            if (windows.contains(start)) {
                pieces.computeIfAbsent(start, k -> new ArrayList<>()).add(minutes.get(key));
                if (chunk) {
                    chunkKeys.add(key);
                }
            } else if (chunk) {
                chunksLeft = true;
            }
        }
        for (Map.Entry<Long, List<MinuteCounts>> window : pieces.entrySet()) {
            List<MinuteCounts> parts = window.getValue();
            MinuteCounts.Builder whole = new MinuteCounts.Builder();
            if (parts.size() > 1) {
                parts.forEach(whole::addAll);
            }
            into.put(window.getKey(), parts.size() == 1 ? parts.get(0) : whole.build());
        }
        Set<Long> merged = new HashSet<>();
        for (long key : chunkKeys) {
            minutes.remove(key);
            keys.remove(key);
            merged.add(startOf(key));
        }
        for (long start : merged) {
            minutes.put(start, into.get(start));
            keys.add(start);
        }
        return !chunksLeft;
    }

    /** Drops the windows starting before {@code before}; true when none is left. */
    private boolean forget(TreeSet<Long> keys, long before) throws Exception {
        while (!keys.isEmpty() && startOf(keys.first()) < before) {
            minutes.remove(keys.pollFirst());
        }
        return keys.isEmpty();
    }

    /**
     * What the heap keeps of one bucket's state, derived from it (so never checkpointed): the keys
     * of {@link #minutes}, in order, and the sums at the published window end (null until a pass
     * builds them).
     */
    private static final class Derived {
        final TreeSet<Long> keys = new TreeSet<>();
        SlidingRanking sums;
    }
}
