package com.streampulse.bench;

import com.streampulse.job.records.ContentStats;
import com.streampulse.job.records.WindowCounts;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * A prototype for {@code make bench-window}, not used by the job: content windows keyed by a fixed
 * bucket of content ids instead of the content id, the window's sums in a {@link MapState} under
 * the window start as namespace, and two timers per bucket and window (fire, purge) instead of two
 * per content id and window. It measures what that layout would save; it leaves out what the job's
 * windows also do (late data side output, alert rules), which costs the same in both.
 */
final class BucketedWindowsPrototype extends AbstractStreamOperator<ContentStats>
        implements OneInputStreamOperator<WindowCounts, ContentStats>, Triggerable<Integer, Long> {

    private static final long serialVersionUID = 1L;

    private final long windowMillis;
    private final long latenessMillis;

    private transient MapStateDescriptor<String, WindowCounts> sums;
    private transient InternalTimerService<Long> timers;

    /**
     * Windows this subtask registered timers for since it started; registering again is harmless
     * (the timer service keeps one per bucket, window and time), so after a restore the set starts
     * empty.
     */
    private transient Map<Integer, Set<Long>> registered;

    BucketedWindowsPrototype(long windowMillis, long latenessMillis) {
        this.windowMillis = windowMillis;
        this.latenessMillis = latenessMillis;
    }

    @Override
    public void open() throws Exception {
        super.open();
        sums =
                new MapStateDescriptor<>(
                        "sums", Types.STRING, TypeInformation.of(WindowCounts.class));
        timers = getInternalTimerService("bucket-windows", LongSerializer.INSTANCE, this);
        registered = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<WindowCounts> element) throws Exception {
        WindowCounts partial = element.getValue();
        long window = partial.windowStart;
        long lastMillis = window + windowMillis - 1;
        long watermark = timers.currentWatermark();
        if (lastMillis + latenessMillis <= watermark) {
            return; // closed for good (the job sends it to dropped_partials)
        }
        MapState<String, WindowCounts> state =
                getPartitionedState(window, LongSerializer.INSTANCE, sums);
        WindowCounts sum = state.get(partial.key);
        sum = sum == null ? new WindowCounts().merge(partial) : sum.merge(partial);
        state.put(partial.key, sum);
        if (lastMillis <= watermark) {
            output.collect(new StreamRecord<>(ContentStats.of(sum, window + windowMillis)));
        } else if (registered
                .computeIfAbsent((Integer) getCurrentKey(), k -> new HashSet<>())
                .add(window)) {
            timers.registerEventTimeTimer(window, lastMillis);
            timers.registerEventTimeTimer(window, lastMillis + latenessMillis);
        }
    }

    @Override
    public void onEventTime(InternalTimer<Integer, Long> timer) throws Exception {
        long window = timer.getNamespace();
        MapState<String, WindowCounts> state =
                getPartitionedState(window, LongSerializer.INSTANCE, sums);
        if (timer.getTimestamp() == window + windowMillis - 1) {
            for (WindowCounts sum : state.values()) {
                output.collect(new StreamRecord<>(ContentStats.of(sum, window + windowMillis)));
            }
        } else {
            state.clear();
            Set<Long> windows = registered.get(timer.getKey());
            if (windows != null) {
                windows.remove(window);
            }
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<Integer, Long> timer) {}
}
