package com.streampulse.job.aggregate;

import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.trending.TrendingBuckets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * The job's 1-minute event-time windows, with the semantics of Flink's {@code WindowOperator} as
 * the job used it (tumbling windows, allowed lateness, the event-time trigger, late data to a side
 * output, incremental sums handed to a {@link ProcessWindowFunction}), but keyed by a fixed bucket
 * of keys instead of the key.
 *
 * <p>Why: with one key per content id, every partial sum cost a RocksDB get and put plus two timers
 * written to RocksDB (a third of the content windows' thread at {@code wide}, even for timers that
 * already existed), and a minute's firing was one timer poll and point lookup per key. Here a
 * bucket keeps each window's sums in one {@link MapState} under the window as namespace, and has
 * one firing timer and one purge timer per window, whatever its number of keys: a firing is one
 * sequential scan of the bucket's window. Timers are also few enough to split: with unaligned
 * checkpoints and {@code execution.checkpointing.unaligned.interruptible-timers.enabled}, a barrier
 * waits for one bucket's firing, not a whole minute of windows ({@link #useSplittableTimers}).
 *
 * <p>What each input does, exactly as before:
 *
 * <ul>
 *   <li>a partial whose window is still open is merged into its key's sum; the window fires (one
 *       result per key) when the watermark passes its last millisecond;
 *   <li>a partial of a window that fired but is within the allowed lateness is merged and its key's
 *       result fires again at once (one re-fired row per late update);
 *   <li>a partial of a window older than that goes to the {@code dropped} side output unchanged;
 *   <li>the window's sums are purged when the watermark passes its last millisecond plus the
 *       allowed lateness.
 * </ul>
 *
 * <p>On-time partials are summed on the heap ({@link PendingSums}), not in RocksDB: the
 * pre-aggregator sends most of a window's partials just before it fires, and a RocksDB get and put
 * per partial was what made the content windows' busy time grow with the state held. A bucket's
 * firing merges its pending sums with what its window already holds in RocksDB (written before a
 * checkpoint, by a spill, or restored), writes the merged sums with puts and no reads, and emits
 * them. Nothing on the heap crosses a checkpoint: {@link #prepareSnapshotPreBarrier} writes every
 * pending sum into RocksDB first, so snapshots hold exactly what they held before, and past {@link
 * #MAX_PENDING_KEYS} the oldest window's pending sums are written the same way. Late partials (of a
 * window that fired, or whose bucket's firing is still to come while the watermark has passed it)
 * take the RocksDB path as before, after their window's pending sums in that bucket, if any, were
 * written there.
 *
 * <p>State (uids ending in {@code -bucket-windows}): per bucket and window, a map of key to merged
 * {@link WindowCounts}; per bucket, the newest window that fired (cleared with that window's sums);
 * the timers. Input records must carry their window's event time as their timestamp, as the
 * pre-aggregator stamps them.
 */
public final class BucketedWindows<R>
        extends AbstractUdfStreamOperator<
                R, ProcessWindowFunction<WindowCounts, R, String, TimeWindow>>
        implements OneInputStreamOperator<WindowCounts, R>, Triggerable<Integer, Long> {

    private static final long serialVersionUID = 1L;

    /**
     * Pending on-time sums per subtask before the oldest window's are written to RocksDB. A pending
     * key costs about 300 bytes of heap (a {@link WindowCounts} of 13 longs and 4 references, ~140
     * bytes, a hash map node and slot, ~50 bytes, and its key and title strings, shared with the
     * partial it came from, ~100 bytes), so 150,000 keys are ~45 MB per subtask, of the ~500 MB of
     * task heap a 2-slot TaskManager of k8s/flinkdeployment.yaml has. The region and device windows
     * never come near it; the {@code wide} shape's content windows (1 M new keys a minute) do.
     */
    static final int MAX_PENDING_KEYS = 150_000;

    private final long windowMillis;
    private final long latenessMillis;
    private final KeySelector<WindowCounts, String> key;
    private final OutputTag<WindowCounts> dropped;
    private final int maxPendingKeys;

    private transient MapStateDescriptor<String, WindowCounts> sumsDescriptor;

    /** Per bucket: the start of the newest window that fired, until that window is purged. */
    private transient ValueState<Long> newestFired;

    /** Namespace: the window start. */
    private transient InternalTimerService<Long> timers;

    /** What this subtask knows of each bucket without reading state; empty after a restore. */
    private transient Map<Integer, BucketTimers> clocks;

    private transient TimestampedCollector<R> rows;
    private transient Firing firing;

    /** On-time sums of windows not fired yet, not in RocksDB; empty at every checkpoint. */
    private transient PendingSums pending;

    /**
     * @param key the key results are computed per, inside a bucket (see {@link #buckets})
     * @param dropped where partials of windows closed for good go
     */
    public BucketedWindows(
            long windowMillis,
            long latenessMillis,
            KeySelector<WindowCounts, String> key,
            ProcessWindowFunction<WindowCounts, R, String, TimeWindow> results,
            OutputTag<WindowCounts> dropped) {
        this(windowMillis, latenessMillis, key, results, dropped, MAX_PENDING_KEYS);
    }

    /** As above, with a smaller heap cap, for tests. */
    BucketedWindows(
            long windowMillis,
            long latenessMillis,
            KeySelector<WindowCounts, String> key,
            ProcessWindowFunction<WindowCounts, R, String, TimeWindow> results,
            OutputTag<WindowCounts> dropped,
            int maxPendingKeys) {
        super(results);
        this.windowMillis = windowMillis;
        this.latenessMillis = latenessMillis;
        this.key = key;
        this.dropped = dropped;
        this.maxPendingKeys = maxPendingKeys;
    }

    /**
     * The bucket to key this operator's input by: one bucket per key group, each keyed so that it
     * lands in its own key group ({@link TrendingBuckets#keys}), so every subtask gets the same
     * number of buckets at any parallelism dividing the max parallelism, and rescaling moves whole
     * buckets. Keys are spread over the buckets as the trending buckets spread content ids.
     */
    public static KeySelector<WindowCounts, Integer> buckets(
            KeySelector<WindowCounts, String> key, int maxParallelism) {
        int[] keys = TrendingBuckets.keys(maxParallelism, maxParallelism);
        return c -> keys[TrendingBuckets.bucket(key.getKey(c), maxParallelism)];
    }

    @Override
    public void open() throws Exception {
        super.open();
        sumsDescriptor =
                new MapStateDescriptor<>(
                        "sums", Types.STRING, TypeInformation.of(WindowCounts.class));
        newestFired =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("newest-fired", Types.LONG));
        timers = getInternalTimerService("bucket-windows", LongSerializer.INSTANCE, this);
        clocks = new HashMap<>();
        rows = new TimestampedCollector<>(output);
        firing = new Firing(userFunction);
        pending = new PendingSums();
    }

    /**
     * One timer per bucket and window, so a barrier can be let through between two buckets' firings
     * (when unaligned checkpoints and interruptible timers are configured; otherwise Flink fires as
     * usual). A firing interrupted that way leaves later buckets' on-time windows unfired while the
     * watermark has passed them: a partial arriving for one of those in between is taken as a late
     * update (its row fires at once, and again with the bucket's firing), which changes no result.
     * The bucket's pending sums of that window are written to RocksDB first, so that row counts
     * them and the bucket's firing finds them there; a barrier let through meanwhile writes all the
     * pending sums there ({@link #prepareSnapshotPreBarrier}), and the firings still to come read
     * them back.
     */
    @Override
    public boolean useSplittableTimers() {
        return true;
    }

    @Override
    public void processElement(StreamRecord<WindowCounts> element) throws Exception {
        long start = TimeWindow.getWindowStartWithOffset(element.getTimestamp(), 0, windowMillis);
        long last = start + windowMillis - 1;
        long watermark = timers.currentWatermark();
        if (last + latenessMillis <= watermark) {
            output.collect(dropped, element);
            return;
        }
        WindowCounts partial = element.getValue();
        String k = key.getKey(partial);
        Integer bucket = (Integer) getCurrentKey();
        BucketTimers clock = clock(bucket);
        // After a restore the watermark starts from nothing again, the bucket's clock does not.
        boolean fired = last <= watermark || start <= clock.newestFired;
        if (clock.timed.add(start)) {
            timers.registerEventTimeTimer(start, last + latenessMillis);
            if (!fired) {
                timers.registerEventTimeTimer(start, last);
            }
        }
        if (!fired) {
            pending.add(start, bucket, k, partial);
            writeOldestUntil(maxPendingKeys);
            return;
        }
        // A late update fires its key with every count so far: the pending ones too (only while
        // an interrupted firing has not reached this bucket yet).
        Map<String, WindowCounts> unwritten = pending.remove(start, bucket);
        MapState<String, WindowCounts> sums = sums(start);
        if (unwritten != null) {
            write(sums, unwritten);
        }
        WindowCounts sum = sums.get(k);
        sum = (sum == null ? new WindowCounts() : sum).merge(partial);
        sums.put(k, sum);
        fire(new TimeWindow(start, start + windowMillis), k, sum);
    }

    @Override
    public void onEventTime(InternalTimer<Integer, Long> timer) throws Exception {
        long start = timer.getNamespace();
        long last = start + windowMillis - 1;
        BucketTimers clock = clock(timer.getKey());
        MapState<String, WindowCounts> sums = sums(start);
        boolean purge = timer.getTimestamp() == last + latenessMillis;
        if (timer.getTimestamp() == last) {
            fireWindow(start, timer.getKey(), sums, purge);
            clock.newestFired = Math.max(clock.newestFired, start);
            newestFired.update(clock.newestFired);
        }
        if (purge) {
            pending.remove(start, timer.getKey());
            sums.clear();
            clock.timed.remove(start);
            if (start == clock.newestFired) {
                // Every window it fired is purged: what comes for them now is dropped.
                clock.newestFired = Long.MIN_VALUE;
                newestFired.clear();
            }
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<Integer, Long> timer) {}

    /**
     * Every pending sum goes into RocksDB before the barrier, so the snapshot holds every partial
     * received before it, as when each partial was written on arrival.
     */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        writeOldestUntil(0);
    }

    /**
     * A bucket's on-time firing: what the window holds in RocksDB (usually nothing: a seek), merged
     * with its pending sums, written back with puts only, one row per key. When the window is
     * purged by the same timer (no lateness) nothing is written.
     */
    private void fireWindow(
            long start, Integer bucket, MapState<String, WindowCounts> sums, boolean purge)
            throws Exception {
        TimeWindow window = new TimeWindow(start, start + windowMillis);
        Map<String, WindowCounts> heap = pending.remove(start, bucket);
        for (Map.Entry<String, WindowCounts> stored : sums.entries()) {
            WindowCounts sum = stored.getValue();
            WindowCounts more = heap == null ? null : heap.remove(stored.getKey());
            if (more != null) {
                sum = sum.merge(more);
                if (!purge) {
                    // An existing key: the iteration does not see it twice.
                    stored.setValue(sum);
                }
            }
            fire(window, stored.getKey(), sum);
        }
        if (heap == null || heap.isEmpty()) {
            return;
        }
        if (!purge) {
            // Keys new to RocksDB, written after the scan so that it cannot meet them.
            sums.putAll(heap);
        }
        for (Map.Entry<String, WindowCounts> sum : heap.entrySet()) {
            fire(window, sum.getKey(), sum.getValue());
        }
    }

    /**
     * Writes the oldest windows' pending sums to RocksDB until at most {@code keys} are pending:
     * the cap after an on-time partial, none before a barrier.
     */
    private void writeOldestUntil(int keys) throws Exception {
        if (pending.keys() <= keys) {
            return;
        }
        Object current = getCurrentKey();
        while (pending.keys() > keys) {
            writeWindow(pending.removeOldest());
        }
        if (current != null) {
            setCurrentKey(current);
        }
    }

    /** One window's pending sums, every bucket's, merged into RocksDB under their bucket. */
    private void writeWindow(PendingWindow window) throws Exception {
        for (Map.Entry<Integer, Map<String, WindowCounts>> bucket : window.buckets().entrySet()) {
            setCurrentKey(bucket.getKey());
            write(sums(window.start()), bucket.getValue());
        }
    }

    /** Merges sums into the current bucket's window (a get and a put per key, as on arrival). */
    private static void write(
            MapState<String, WindowCounts> sums, Map<String, WindowCounts> unwritten)
            throws Exception {
        for (Map.Entry<String, WindowCounts> u : unwritten.entrySet()) {
            WindowCounts stored = sums.get(u.getKey());
            sums.put(u.getKey(), stored == null ? u.getValue() : stored.merge(u.getValue()));
        }
    }

    private MapState<String, WindowCounts> sums(long start) throws Exception {
        return getPartitionedState(start, LongSerializer.INSTANCE, sumsDescriptor);
    }

    private BucketTimers clock(Integer bucket) throws Exception {
        BucketTimers clock = clocks.get(bucket);
        if (clock == null) {
            Long stored = newestFired.value();
            clock = new BucketTimers(stored == null ? Long.MIN_VALUE : stored);
            clocks.put(bucket, clock);
        }
        return clock;
    }

    private void fire(TimeWindow window, String k, WindowCounts sum) throws Exception {
        firing.window = window;
        rows.setAbsoluteTimestamp(window.maxTimestamp());
        userFunction.process(k, firing, List.of(sum), rows);
    }

    /**
     * A bucket's timers registered by this subtask since it started (registering one again is
     * harmless, the timer service keeps one per bucket, window and time, but costs a RocksDB write)
     * and the newest window it fired, as in {@link #newestFired}.
     */
    private static final class BucketTimers {
        final Set<Long> timed = new HashSet<>();
        long newestFired;

        BucketTimers(long newestFired) {
            this.newestFired = newestFired;
        }
    }

    /** One window's pending sums, per bucket, taken off the heap. */
    private record PendingWindow(long start, Map<Integer, Map<String, WindowCounts>> buckets) {}

    /**
     * On-time sums not in RocksDB, per window, bucket and key, and how many keys they hold in all.
     * Windows are kept in order so that a spill takes the oldest, the next to fire.
     */
    private static final class PendingSums {
        private final TreeMap<Long, Map<Integer, Map<String, WindowCounts>>> windows =
                new TreeMap<>();
        private int keys;

        /** Merges a partial into its pending sum; a copy, the partial stays the caller's. */
        void add(long start, Integer bucket, String k, WindowCounts partial) {
            Map<String, WindowCounts> sums =
                    windows.computeIfAbsent(start, s -> new HashMap<>())
                            .computeIfAbsent(bucket, b -> new HashMap<>());
            WindowCounts sum = sums.get(k);
            if (sum == null) {
                sums.put(k, new WindowCounts().merge(partial));
                keys++;
            } else {
                sum.merge(partial);
            }
        }

        /** The bucket's pending sums of a window, no longer pending; null when it has none. */
        Map<String, WindowCounts> remove(long start, Integer bucket) {
            Map<Integer, Map<String, WindowCounts>> buckets = windows.get(start);
            if (buckets == null) {
                return null;
            }
            Map<String, WindowCounts> sums = buckets.remove(bucket);
            if (buckets.isEmpty()) {
                windows.remove(start);
            }
            if (sums != null) {
                keys -= sums.size();
            }
            return sums;
        }

        PendingWindow removeOldest() {
            Map.Entry<Long, Map<Integer, Map<String, WindowCounts>>> oldest =
                    windows.pollFirstEntry();
            for (Map<String, WindowCounts> sums : oldest.getValue().values()) {
                keys -= sums.size();
            }
            return new PendingWindow(oldest.getKey(), oldest.getValue());
        }

        int keys() {
            return keys;
        }
    }

    /** What the window function sees of the window it is called for. */
    private final class Firing
            extends ProcessWindowFunction<WindowCounts, R, String, TimeWindow>.Context {

        private static final long serialVersionUID = 1L;

        TimeWindow window;

        Firing(ProcessWindowFunction<WindowCounts, R, String, TimeWindow> function) {
            function.super();
        }

        @Override
        public TimeWindow window() {
            return window;
        }

        @Override
        public long currentProcessingTime() {
            return getProcessingTimeService().getCurrentProcessingTime();
        }

        @Override
        public long currentWatermark() {
            return timers.currentWatermark();
        }

        @Override
        public KeyedStateStore windowState() {
            throw new UnsupportedOperationException("The job's windows keep no per-window state");
        }

        @Override
        public KeyedStateStore globalState() {
            throw new UnsupportedOperationException("The job's windows keep no per-key state");
        }

        @Override
        public <X> void output(OutputTag<X> outputTag, X value) {
            output.collect(outputTag, new StreamRecord<>(value, window.maxTimestamp()));
        }
    }
}
