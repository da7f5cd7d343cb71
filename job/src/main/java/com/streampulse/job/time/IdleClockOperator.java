package com.streampulse.job.time;

import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Keeps event time moving when traffic stops, so the last windows close as the original's flusher
 * thread closed them.
 *
 * <p>The source marks a partition idle after the idleness timeout and the whole subtask idle when
 * all its partitions are. Flink then stops advancing event time, and the last windows would wait
 * for the next event. Instead, while the input is idle this operator emits watermarks that follow
 * the wall clock from the newest event seen: newest event time + wall time since it arrived −
 * out-of-orderness. A replay of old events still windows correctly (while events flow, the source's
 * watermarks pass through unchanged), and a subtask that never saw an event stays idle, so nothing
 * is declared late before the first event arrives.
 *
 * <p>The input also counts as idle when no record at all has reached this operator for the idleness
 * timeout: Flink's own idle status can arrive much later than the timeout (its idleness clock
 * pauses while the task is busy or blocked), and the last windows should not wait on it.
 *
 * <p>Each source subtask follows the newest event it has read itself: when its partitions stopped
 * at event times far apart, the last window closes once the slowest subtask's clock passes it. The
 * newest event time is kept in state, so a job restored while traffic is stopped still closes its
 * last windows.
 */
public final class IdleClockOperator<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<T, T>, ProcessingTimeCallback {

    private static final long serialVersionUID = 1L;

    private final long outOfOrdernessMillis;
    private final long idlenessMillis;
    private final long tickMillis;

    private transient long newestEventTime;
    private transient long newestArrival;
    private transient long lastArrival;
    private transient long emittedWatermark;
    private transient boolean inputIdle;
    private transient boolean outputIdle;

    public IdleClockOperator(long outOfOrdernessMillis, long idlenessMillis, long tickMillis) {
        this.outOfOrdernessMillis = outOfOrdernessMillis;
        this.idlenessMillis = idlenessMillis;
        this.tickMillis = tickMillis;
        // AbstractStreamOperator defaults to HEAD: without this every record would cross a
        // thread boundary and be serialized between the source and this operator.
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    /** (subtask, newest event time) pairs; union state so a rescaled job sees all of them. */
    private transient ListState<Tuple2<Integer, Long>> newestState;

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        newestState = UnionTimes.state(context, "newest-event-time");
        newestEventTime =
                context.isRestored()
                        ? UnionTimes.ownOrLowest(
                                newestState.get(), getRuntimeContext().getTaskInfo())
                        : Long.MIN_VALUE;
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        UnionTimes.putOwn(newestState, getRuntimeContext().getTaskInfo(), newestEventTime);
    }

    @Override
    public void open() throws Exception {
        super.open();
        // A restored clock resumes from the newest event time as if it had just arrived.
        newestArrival = getProcessingTimeService().getCurrentProcessingTime();
        emittedWatermark = Long.MIN_VALUE;
        scheduleTick();
    }

    private void scheduleTick() {
        getProcessingTimeService()
                .registerTimer(
                        getProcessingTimeService().getCurrentProcessingTime() + tickMillis, this);
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        long timestamp = element.hasTimestamp() ? element.getTimestamp() : Long.MIN_VALUE;
        lastArrival = getProcessingTimeService().getCurrentProcessingTime();
        if (timestamp != ValidEventWatermarks.NO_EVENT_TIME && timestamp > newestEventTime) {
            newestEventTime = timestamp;
            newestArrival = lastArrival;
        }
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) {
        // Watermarks stay monotonic: after an idle spell the source may resume below the clock.
        if (mark.getTimestamp() > emittedWatermark) {
            emit(mark.getTimestamp());
        }
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
        inputIdle = status.isIdle();
        if (!inputIdle) {
            markActive();
        } else if (newestEventTime == Long.MIN_VALUE && !outputIdle) {
            // Nothing seen yet: let downstream ignore this subtask, as Flink would.
            outputIdle = true;
            output.emitWatermarkStatus(WatermarkStatus.IDLE);
        }
    }

    @Override
    public void onProcessingTime(long now) {
        boolean idle = inputIdle || now - lastArrival >= idlenessMillis;
        if (idle && newestEventTime != Long.MIN_VALUE) {
            long clock = newestEventTime + (now - newestArrival) - outOfOrdernessMillis - 1;
            if (clock > emittedWatermark) {
                emit(clock);
            }
        }
        scheduleTick();
    }

    private void emit(long watermark) {
        markActive();
        emittedWatermark = watermark;
        output.emitWatermark(new Watermark(watermark));
    }

    private void markActive() {
        if (outputIdle) {
            outputIdle = false;
            output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
        }
    }
}
