package com.streampulse.job.aggregate;

import com.streampulse.job.records.Download;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.records.WindowCounts.Dimension;
import com.streampulse.job.sessions.SessionBatch;
import com.streampulse.job.sessions.SessionPartials;
import com.streampulse.job.trending.TrendingBatch;
import com.streampulse.job.trending.TrendingBuffer;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Sums events per window and key before the shuffle, for all three dimensions at once.
 *
 * <p>Why: shipping three copies of every event to three keyed windows costs most of the job's time;
 * shipping one partial sum per key and window costs almost nothing. Lateness has been decided
 * upstream, once, so an event is counted in all three tables or rejected, never counted in one and
 * dropped by another.
 *
 * <p>Partials leave when the watermark passes their window's end (just before the watermark itself,
 * so the windows see complete sums when they fire), before every checkpoint barrier (so no partial
 * sum is held across a checkpoint and this operator needs no state), and when too many keys are
 * buffered. (Trending's partials of a window already passed wait for the next window end: {@link
 * TrendingBuffer}.) The windows merge partials in any order to the same totals. Each partial is
 * stamped with its window's last millisecond, tagged with its {@link Dimension}, and names the
 * Kafka offsets it was read from (in case the windows have to drop it: {@link DroppedPartials}).
 */
public final class PreAggregator extends AbstractStreamOperator<WindowCounts>
        implements OneInputStreamOperator<Download, WindowCounts> {

    private static final long serialVersionUID = 1L;

    private static final long PROGRESS_INTERVAL_MILLIS = 10_000;

    /** Downloads per region and content and window, one batch per bucket, for trending. */
    public static final OutputTag<TrendingBatch> TRENDING = new OutputTag<>("trending-partials") {};

    /** Every download, per window, one batch per bucket of users, for sessions. */
    public static final OutputTag<SessionBatch> SESSIONS = new OutputTag<>("session-batches") {};

    private final long windowMillis;
    private final int maxBufferedKeys;
    private final int trendingBuckets;
    private final int sessionBuckets;
    private final long latenessMillis;

    /** Window start → the window's partials. Sorted so closing windows is a head scan. */
    private transient TreeMap<Long, Partials> windows;

    private transient int bufferedKeys;

    /**
     * Downloads per region and content for trending, capped on their own: counted with the stats
     * keys, they outnumber them at a large catalogue and flushed the stats partials early several
     * times a minute, doubling the windows' work.
     */
    private transient TrendingBuffer trending;

    /**
     * Downloads for sessions, capped on their own at {@code maxBufferedKeys}: in the shared count a
     * million users' downloads would flush the content partials many times a window, and the
     * content windows are the job's busiest task.
     */
    private transient SessionPartials users;

    private transient Counter eventsProcessed;
    private transient Counter windowsFlushed;
    private transient long lastProgressLog;
    private transient long loggedEvents;

    public PreAggregator(long windowMillis, int maxBufferedKeys) {
        this(windowMillis, maxBufferedKeys, 0);
    }

    /**
     * @param trendingBuckets when positive, also sum downloads per region and content, sent to
     *     {@link #TRENDING} in batches per bucket of content ids (0: trending is off)
     */
    public PreAggregator(long windowMillis, int maxBufferedKeys, int trendingBuckets) {
        this(windowMillis, maxBufferedKeys, trendingBuckets, 0);
    }

    /**
     * @param sessionBuckets when positive, also send every download to {@link #SESSIONS}, in
     *     batches per bucket of users and window (0: sessions are off)
     */
    public PreAggregator(
            long windowMillis, int maxBufferedKeys, int trendingBuckets, int sessionBuckets) {
        this(windowMillis, maxBufferedKeys, trendingBuckets, sessionBuckets, 0);
    }

    /**
     * @param latenessMillis the allowed lateness: trending partials of a window the watermark has
     *     passed may wait that long for the next window end ({@link TrendingBuffer})
     */
    public PreAggregator(
            long windowMillis,
            int maxBufferedKeys,
            int trendingBuckets,
            int sessionBuckets,
            long latenessMillis) {
        this.windowMillis = windowMillis;
        this.latenessMillis = latenessMillis;
        this.maxBufferedKeys = maxBufferedKeys;
        this.trendingBuckets = trendingBuckets;
        this.sessionBuckets = sessionBuckets;
        // Chained to the source like a UDF operator (AbstractStreamOperator defaults to HEAD).
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void open() throws Exception {
        super.open();
        windows = new TreeMap<>();
        trending =
                trendingBuckets > 0
                        ? new TrendingBuffer(windowMillis, latenessMillis, trendingBuckets)
                        : null;
        users = sessionBuckets > 0 ? new SessionPartials(windowMillis, sessionBuckets) : null;
        MetricGroup metrics = getMetricGroup().addGroup("streampulse");
        eventsProcessed = metrics.counter("eventsProcessed");
        windowsFlushed = metrics.counter("windowsFlushed");
        lastProgressLog = System.currentTimeMillis();
    }

    @Override
    public void processElement(StreamRecord<Download> element) throws IOException {
        Download d = element.getValue();
        long windowStart = d.timestamp() - Math.floorMod(d.timestamp(), windowMillis);
        Partials window = windows.computeIfAbsent(windowStart, Partials::new);
        window.sources.add(d.partition(), d.offset());
        add(window, Dimension.CONTENT, d.contentId(), d.contentId(), d.title(), d);
        add(window, Dimension.REGION, d.region(), d.region(), "", d);
        add(
                window,
                Dimension.DEVICE,
                d.device() + '\u0000' + d.osVersion(),
                d.device(),
                d.osVersion(),
                d);
        if (trending != null) {
            trending.add(windowStart, d.region(), d.contentId(), d.title());
        }
        if (users != null && users.add(windowStart, d) >= maxBufferedKeys) {
            users.flushUpTo(Long.MAX_VALUE, this::emitSession);
        }
        eventsProcessed.inc();
        if (bufferedKeys >= maxBufferedKeys) {
            flushOldestUnderCap();
        }
        if (trending != null && trending.pairs() >= maxBufferedKeys) {
            trending.flushAll(this::emitTrending);
        }
    }

    private void add(
            Partials window,
            Dimension dimension,
            String mapKey,
            String key,
            String detail,
            Download d) {
        Map<String, WindowCounts> partials = window.of(dimension);
        WindowCounts counts = partials.get(mapKey);
        if (counts == null) {
            counts = new WindowCounts(dimension, key, detail, window.start);
            partials.put(mapKey, counts);
            bufferedKeys++;
        }
        counts.add(d);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        windowsFlushed.inc(flushUpTo(mark.getTimestamp()));
        if (trending != null) {
            trending.onWatermark(mark.getTimestamp(), this::emitTrending);
        }
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

    private void flushAll() {
        flushUpTo(Long.MAX_VALUE);
        if (trending != null) {
            trending.flushAll(this::emitTrending);
        }
    }

    /** Emits the partials of every window whose last millisecond is at or before {@code time}. */
    private int flushUpTo(long time) {
        if (users != null) {
            users.flushUpTo(time, this::emitSession);
        }
        int closed = 0;
        while (!windows.isEmpty() && windows.firstKey() + windowMillis - 1 <= time) {
            emit(windows.pollFirstEntry().getValue());
            closed++;
        }
        return closed;
    }

    /**
     * Over the key cap, the oldest windows leave first, one at a time, until the rest fit: with
     * several windows open (short windows, or the out-of-orderness spanning more than one) flushing
     * all of them at every cap sent the window still filling many times over, a burst that stopped
     * the source while the content windows merged it (the latency benchmark's profile at 80 %).
     */
    private void flushOldestUnderCap() {
        while (bufferedKeys >= maxBufferedKeys && !windows.isEmpty()) {
            emit(windows.pollFirstEntry().getValue());
        }
    }

    private void emit(Partials window) {
        long timestamp = window.start + windowMillis - 1;
        String sources = window.sources.toString();
        for (Map<String, WindowCounts> partials : window.all()) {
            for (WindowCounts partial : partials.values()) {
                partial.sources = sources;
                output.collect(new StreamRecord<>(partial, timestamp));
            }
            bufferedKeys -= partials.size();
        }
    }

    private void emitTrending(TrendingBatch batch, long timestamp) {
        output.collect(TRENDING, new StreamRecord<>(batch, timestamp));
    }

    private void emitSession(SessionBatch batch, long timestamp) {
        output.collect(SESSIONS, new StreamRecord<>(batch, timestamp));
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

    /** One window's partial sums, per dimension. */
    private static final class Partials {
        final long start;
        final Map<String, WindowCounts> content = new HashMap<>();
        final Map<String, WindowCounts> region = new HashMap<>();
        final Map<String, WindowCounts> device = new HashMap<>();
        final OffsetRanges sources = new OffsetRanges();

        Partials(long start) {
            this.start = start;
        }

        List<Map<String, WindowCounts>> all() {
            return List.of(content, region, device);
        }

        Map<String, WindowCounts> of(Dimension dimension) {
            return switch (dimension) {
                case CONTENT -> content;
                case REGION -> region;
                case DEVICE -> device;
            };
        }
    }
}
