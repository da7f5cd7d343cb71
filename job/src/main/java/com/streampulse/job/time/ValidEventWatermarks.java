package com.streampulse.job.time;

import com.streampulse.job.records.Ingested;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Bounded out-of-orderness over valid events only, per Kafka partition. Rejected records carry no
 * trustworthy time (an INVALID event may be stamped a year ahead), so they never move event time;
 * they still count as activity for the idleness timeout.
 */
public final class ValidEventWatermarks implements WatermarkGenerator<Ingested> {

    /** Rejected records get this timestamp; nothing downstream windows them. */
    public static final long NO_EVENT_TIME = Long.MIN_VALUE;

    private final long outOfOrdernessMillis;
    private long maxTimestamp = Long.MIN_VALUE;

    public ValidEventWatermarks(Duration outOfOrderness) {
        this.outOfOrdernessMillis = outOfOrderness.toMillis();
    }

    /** The source's strategy: per-partition generators, marked idle after {@code idleness}. */
    public static WatermarkStrategy<Ingested> strategy(Duration outOfOrderness, Duration idleness) {
        return WatermarkStrategy.<Ingested>forGenerator(
                        ctx -> new ValidEventWatermarks(outOfOrderness))
                .withTimestampAssigner(ctx -> timestampAssigner())
                .withIdleness(idleness);
    }

    static TimestampAssigner<Ingested> timestampAssigner() {
        return (element, recordTimestamp) ->
                element.isValid() ? element.download().timestamp() : NO_EVENT_TIME;
    }

    @Override
    public void onEvent(Ingested event, long eventTimestamp, WatermarkOutput output) {
        if (event.isValid()) {
            maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (maxTimestamp != Long.MIN_VALUE) {
            output.emitWatermark(new Watermark(maxTimestamp - outOfOrdernessMillis - 1));
        }
    }
}
