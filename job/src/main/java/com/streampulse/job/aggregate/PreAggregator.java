package com.streampulse.job.aggregate;

import com.streampulse.job.records.Download;
import com.streampulse.job.records.Ingested;
import com.streampulse.job.records.RejectedEvent;
import com.streampulse.job.records.RejectedEvent.Reason;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.time.UnionTimes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Sums events per window and key before the shuffle, for all three dimensions at once, and decides
 * once per event whether it is too late.
 *
 * <p>Why: shipping three copies of every event to three keyed windows costs most of the job's time;
 * shipping one partial sum per key and window costs almost nothing. Deciding lateness here, once,
 * also keeps the three tables consistent: an event is counted in all of them or rejected as LATE,
 * never counted in one and dropped by another.
 *
 * <p>Partials leave when the watermark passes their window's end (just before the watermark itself,
 * so the final windows see complete sums when they fire), before every checkpoint barrier (so no
 * partial sums are held across a checkpoint), and when too many keys are buffered. The final
 * windows merge partials in any order to the same totals.
 *
 * <p>Lateness is decided against the higher of two clocks: the watermark, and each Kafka
 * partition's own newest event time minus the out-of-orderness. The second is what makes the
 * decision repeatable: it depends only on the order of records within the partition, so a replay
 * after a restore rejects exactly the events the first attempt rejected (a LATE row and a counted
 * event from two attempts would otherwise both stay in PostgreSQL). The first is what keeps it
 * safe: an event the window operator would drop is never passed on. Both are kept in state (union
 * list state, so a rescaled job sees all of them; a partition's newest time is the highest entry, a
 * subtask's watermark its own entry or the lowest of all after a rescale). Flink does not
 * checkpoint watermarks, and without them an event that was too late could pass for on time after a
 * restore while its window has already been purged, and its lone partial would then overwrite the
 * full row.
 *
 * <p>Main output: rejected records (MALFORMED and INVALID from the source, LATE from here). Side
 * outputs: {@link #CONTENT}, {@link #REGION}, {@link #DEVICE} partials, each stamped with its
 * window's last millisecond.
 */
public final class PreAggregator extends AbstractStreamOperator<RejectedEvent>
        implements OneInputStreamOperator<Ingested, RejectedEvent> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<WindowCounts> CONTENT = new OutputTag<>("content-partials") {};
    public static final OutputTag<WindowCounts> REGION = new OutputTag<>("region-partials") {};
    public static final OutputTag<WindowCounts> DEVICE = new OutputTag<>("device-partials") {};

    private static final long PROGRESS_INTERVAL_MILLIS = 10_000;

    private final String topic;
    private final long windowMillis;
    private final long allowedLatenessMillis;
    private final long outOfOrdernessMillis;
    private final int maxBufferedKeys;

    /** Window start → key → partial, per dimension. Sorted so closing windows is a head scan. */
    private transient TreeMap<Long, Map<String, WindowCounts>> content;

    private transient TreeMap<Long, Map<String, WindowCounts>> region;
    private transient TreeMap<Long, Map<String, WindowCounts>> device;
    private transient List<TreeMap<Long, Map<String, WindowCounts>>> buffers;
    private transient int bufferedKeys;
    private transient long currentWatermark;

    /** Kafka partition → newest valid event time read from it. */
    private transient Map<Integer, Long> partitionNewest;

    private transient long newestEventTime;

    private transient Counter eventsProcessed;
    private transient Counter windowsFlushed;
    private transient Counter lateEvents;
    private transient Counter malformedEvents;
    private transient Counter invalidEvents;
    private transient long lastProgressLog;
    private transient long loggedEvents;

    public PreAggregator(
            String topic,
            long windowMillis,
            long allowedLatenessMillis,
            long outOfOrdernessMillis,
            int maxBufferedKeys) {
        this.topic = topic;
        this.windowMillis = windowMillis;
        this.allowedLatenessMillis = allowedLatenessMillis;
        this.outOfOrdernessMillis = outOfOrdernessMillis;
        this.maxBufferedKeys = maxBufferedKeys;
        // Chained to the source like a UDF operator (AbstractStreamOperator defaults to HEAD).
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    /** (subtask, watermark) pairs; union state so a rescaled job sees every old subtask's. */
    private transient ListState<Tuple2<Integer, Long>> watermarkState;

    /** (partition, newest event time) pairs, union state for the same reason. */
    private transient ListState<Tuple2<Integer, Long>> partitionState;

    private transient long restoredWatermark = Long.MIN_VALUE;

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        watermarkState = UnionTimes.state(context, "watermark");
        partitionState = UnionTimes.state(context, "partition-newest");
        restoredWatermark = Long.MIN_VALUE;
        partitionNewest = new HashMap<>();
        if (context.isRestored()) {
            restoredWatermark =
                    UnionTimes.ownOrLowest(watermarkState.get(), getRuntimeContext().getTaskInfo());
            for (Tuple2<Integer, Long> entry : partitionState.get()) {
                partitionNewest.merge(entry.f0, entry.f1, Math::max);
            }
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        UnionTimes.putOwn(watermarkState, getRuntimeContext().getTaskInfo(), currentWatermark);
        List<Tuple2<Integer, Long>> newest = new ArrayList<>();
        partitionNewest.forEach((partition, time) -> newest.add(Tuple2.of(partition, time)));
        partitionState.update(newest);
    }

    @Override
    public void open() throws Exception {
        super.open();
        content = new TreeMap<>();
        region = new TreeMap<>();
        device = new TreeMap<>();
        buffers = List.of(content, region, device);
        currentWatermark = restoredWatermark;
        newestEventTime = Long.MIN_VALUE;
        MetricGroup metrics = getMetricGroup().addGroup("streampulse");
        eventsProcessed = metrics.counter("eventsProcessed");
        windowsFlushed = metrics.counter("windowsFlushed");
        lateEvents = metrics.counter("rejectedLate");
        malformedEvents = metrics.counter("rejectedMalformed");
        invalidEvents = metrics.counter("rejectedInvalid");
        metrics.gauge(
                "processingLagMillis",
                () ->
                        newestEventTime == Long.MIN_VALUE
                                ? 0L
                                : System.currentTimeMillis() - newestEventTime);
        lastProgressLog = System.currentTimeMillis();
    }

    @Override
    public void processElement(StreamRecord<Ingested> element) {
        Ingested in = element.getValue();
        if (!in.isValid()) {
            RejectedEvent rejected = in.rejected();
            (rejected.reason() == Reason.MALFORMED ? malformedEvents : invalidEvents).inc();
            output.collect(new StreamRecord<>(rejected));
            return;
        }
        Download d = in.download();
        long windowStart = d.timestamp() - Math.floorMod(d.timestamp(), windowMillis);
        long windowLast = windowStart + windowMillis - 1;
        long lateBefore = lateThreshold(d.partition());
        partitionNewest.merge(d.partition(), d.timestamp(), Math::max);
        // The test Flink's WindowOperator applies, so the final windows never drop a partial.
        if (windowLast + allowedLatenessMillis <= lateBefore) {
            lateEvents.inc();
            output.collect(new StreamRecord<>(late(d, windowStart, lateBefore)));
            return;
        }
        newestEventTime = Math.max(newestEventTime, d.timestamp());
        eventsProcessed.inc();
        add(content, windowStart, d.contentId(), d.contentId(), d.title(), d);
        add(region, windowStart, d.region(), d.region(), "", d);
        add(
                device,
                windowStart,
                d.device() + '\u0000' + d.osVersion(),
                d.device(),
                d.osVersion(),
                d);
        if (bufferedKeys >= maxBufferedKeys) {
            flushAll();
        }
    }

    /** The higher of the watermark and the partition's own newest event time − out-of-orderness. */
    private long lateThreshold(int partition) {
        Long newest = partitionNewest.get(partition);
        return newest == null
                ? currentWatermark
                : Math.max(currentWatermark, newest - outOfOrdernessMillis - 1);
    }

    private RejectedEvent late(Download d, long windowStart, long eventTimeNow) {
        String detail =
                "window "
                        + Instant.ofEpochMilli(windowStart)
                        + " closed more than "
                        + allowedLatenessMillis / 1000
                        + " s of allowed lateness ago (event time "
                        + Instant.ofEpochMilli(eventTimeNow)
                        + ")";
        return new RejectedEvent(
                topic, d.partition(), d.offset(), Reason.LATE, detail, d.timestamp(), null);
    }

    private void add(
            TreeMap<Long, Map<String, WindowCounts>> buffer,
            long windowStart,
            String mapKey,
            String key,
            String detail,
            Download d) {
        Map<String, WindowCounts> window =
                buffer.computeIfAbsent(windowStart, w -> new HashMap<>());
        WindowCounts counts = window.get(mapKey);
        if (counts == null) {
            counts = new WindowCounts(key, detail, windowStart);
            window.put(mapKey, counts);
            bufferedKeys++;
        }
        counts.add(d);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        currentWatermark = Math.max(currentWatermark, mark.getTimestamp());
        int closed = flushUpTo(currentWatermark);
        windowsFlushed.inc(closed);
        logProgress();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flushAll();
    }

    @Override
    public void finish() throws Exception {
        flushAll();
        super.finish();
    }

    /** Emits the partials of every window whose last millisecond is at or before {@code time}. */
    private int flushUpTo(long time) {
        int closed = 0;
        Long first;
        while ((first = firstWindow()) != null && first + windowMillis - 1 <= time) {
            flushWindow(first);
            closed++;
        }
        return closed;
    }

    private Long firstWindow() {
        Long first = null;
        for (TreeMap<Long, Map<String, WindowCounts>> buffer : buffers) {
            if (!buffer.isEmpty() && (first == null || buffer.firstKey() < first)) {
                first = buffer.firstKey();
            }
        }
        return first;
    }

    private void flushWindow(long windowStart) {
        emit(CONTENT, content.remove(windowStart), windowStart);
        emit(REGION, region.remove(windowStart), windowStart);
        emit(DEVICE, device.remove(windowStart), windowStart);
    }

    private void flushAll() {
        Long first;
        while ((first = firstWindow()) != null) {
            flushWindow(first);
        }
        bufferedKeys = 0;
    }

    private void emit(OutputTag<WindowCounts> tag, Map<String, WindowCounts> partials, long start) {
        if (partials == null) {
            return;
        }
        long timestamp = start + windowMillis - 1;
        for (Iterator<WindowCounts> it = partials.values().iterator(); it.hasNext(); ) {
            output.collect(tag, new StreamRecord<>(it.next(), timestamp));
            bufferedKeys--;
        }
    }

    private void logProgress() {
        long now = System.currentTimeMillis();
        long processed = eventsProcessed.getCount();
        if (now - lastProgressLog >= PROGRESS_INTERVAL_MILLIS && processed != loggedEvents) {
            LOG.info(
                    "Processed {} events | Flushed {} windows (subtask {})",
                    processed,
                    windowsFlushed.getCount(),
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
            lastProgressLog = now;
            loggedEvents = processed;
        }
    }
}
