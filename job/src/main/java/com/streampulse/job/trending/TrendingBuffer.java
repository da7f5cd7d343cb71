package com.streampulse.job.trending;

import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * A pre-aggregator's downloads per region and content, per window, and when they leave for the
 * buckets ({@link TrendingBuckets}).
 *
 * <p>A window's partials leave when the watermark passes its end, as the stats partials do. Those
 * of a window the watermark had already passed (late downloads) wait for the next window end
 * instead of leaving at the next watermark: the buckets rank late changes only at window ends, so
 * they publish the same rows at the same event time, from one batch per bucket and window end
 * instead of one per watermark (at {@code catalog}'s late mix, 0.5 % two minutes late, dozens of
 * tiny batches per bucket and minute, each a state write, a clock update and a timer in the
 * bucket). A late partial never waits past its window's lateness: the buckets would drop it while
 * the stats windows count it.
 */
public final class TrendingBuffer {

    private final long windowMillis;
    private final long latenessMillis;
    private final int buckets;

    /** Window start → the window's partials. Sorted so what is due is a head scan. */
    private final TreeMap<Long, TrendingPartials> windows = new TreeMap<>();

    /** Window ends at or before the last watermark + 1, as a count of windows since the epoch. */
    private long endsPassed = Long.MIN_VALUE;

    private int pairs;

    /**
     * @param latenessMillis the allowed lateness: a late partial leaves before the watermark passes
     *     its window's end plus this
     * @param buckets buckets of content ids, one batch each per window and flush
     */
    public TrendingBuffer(long windowMillis, long latenessMillis, int buckets) {
        this.windowMillis = windowMillis;
        this.latenessMillis = latenessMillis;
        this.buckets = buckets;
    }

    /** One download. */
    public void add(long windowStart, String region, String contentId, String title) {
        TrendingPartials window = windows.get(windowStart);
        if (window == null) {
            window = new TrendingPartials(windowStart, buckets);
            windows.put(windowStart, window);
        }
        if (window.add(region, contentId, title)) {
            pairs++;
        }
    }

    /** (region, content) pairs buffered. */
    public int pairs() {
        return pairs;
    }

    /**
     * Sends, before the watermark {@code mark}, what must reach the buckets before it: at a window
     * end every window the watermark passed, otherwise the late windows whose lateness ends.
     *
     * @param out each batch with its timestamp (its window's last millisecond)
     */
    public void onWatermark(long mark, BiConsumer<TrendingBatch, Long> out) {
        long ends = mark == Long.MAX_VALUE ? Long.MAX_VALUE : Math.floorDiv(mark + 1, windowMillis);
        long wait = ends > endsPassed ? 0 : latenessMillis;
        endsPassed = Math.max(endsPassed, ends);
        while (!windows.isEmpty() && windows.firstKey() + windowMillis - 1 + wait <= mark) {
            send(windows.pollFirstEntry().getValue(), out);
        }
    }

    /** Sends every window (before a checkpoint barrier, at the end of input, over the cap). */
    public void flushAll(BiConsumer<TrendingBatch, Long> out) {
        while (!windows.isEmpty()) {
            send(windows.pollFirstEntry().getValue(), out);
        }
    }

    private void send(TrendingPartials window, BiConsumer<TrendingBatch, Long> out) {
        pairs -= window.drain(b -> out.accept(b, b.windowStart + windowMillis - 1));
    }
}
