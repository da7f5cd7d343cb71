package com.streampulse.job.aggregate;

import com.streampulse.job.records.WindowCounts;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the one loss the event-time operator cannot rule out loud instead of silent: a source
 * subtask that has read nothing since the job started steps aside (idle) once its partitions hold
 * nothing unread, and if records then reach it older than the other subtasks' event time by more
 * than the allowed lateness, the window operator drops their partial sums. They are counted ({@code
 * streampulse.droppedLateEvents}) and logged with their window and key. Everything else that is too
 * late becomes a LATE row upstream.
 */
public final class DroppedPartials extends ProcessFunction<WindowCounts, Void> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DroppedPartials.class);

    private final String dimension;
    private transient Counter droppedEvents;

    public DroppedPartials(String dimension) {
        this.dimension = dimension;
    }

    @Override
    public void open(OpenContext openContext) {
        droppedEvents =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("streampulse")
                        .counter("droppedLateEvents");
    }

    @Override
    public void processElement(WindowCounts partial, Context ctx, Collector<Void> out) {
        droppedEvents.inc(partial.total);
        LOG.warn(
                "⚠️ {} events of {} {} in window {} arrived after the window closed for good and"
                        + " were not counted",
                partial.total,
                dimension,
                partial.key,
                Instant.ofEpochMilli(partial.windowStart));
    }
}
