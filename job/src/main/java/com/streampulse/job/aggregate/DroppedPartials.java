package com.streampulse.job.aggregate;

import com.streampulse.job.records.DroppedPartial;
import com.streampulse.job.records.WindowCounts;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the one loss the event-time operator cannot rule out: a source subtask that has read
 * nothing since the job started steps aside (idle) once its partitions hold nothing unread, and if
 * records then reach it older than the other subtasks' event time by more than the allowed
 * lateness, the window operator drops their partial sums. Each becomes a {@code dropped_partials}
 * row naming the offsets it was read from, is counted ({@code streampulse.droppedLateEvents}) and
 * logged. Everything else that is too late becomes a LATE row upstream.
 */
public final class DroppedPartials extends ProcessFunction<WindowCounts, DroppedPartial> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DroppedPartials.class);

    private final String topic;
    private transient Counter droppedEvents;

    public DroppedPartials(String topic) {
        this.topic = topic;
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
    public void processElement(WindowCounts partial, Context ctx, Collector<DroppedPartial> out) {
        droppedEvents.inc(partial.total);
        LOG.warn(
                "⚠️ {} events of {} {} in window {} arrived after the window closed for good and"
                        + " were not counted; recorded in dropped_partials (offsets {})",
                partial.total,
                partial.dimension,
                partial.key,
                Instant.ofEpochMilli(partial.windowStart),
                partial.sources);
        out.collect(
                new DroppedPartial(
                        partial.dimension.name(),
                        partial.key,
                        partial.detail,
                        partial.windowStart,
                        topic,
                        partial.sources,
                        partial.total,
                        partial.successful));
    }
}
