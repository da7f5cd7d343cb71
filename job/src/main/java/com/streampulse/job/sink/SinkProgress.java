package com.streampulse.job.sink;

import com.streampulse.job.TaskLogContext;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes rows through to a table's sink and reports them once they are safe. The sink flushes its
 * batch before a checkpoint completes, so "Wrote N records to T" is logged on checkpoint completion
 * for the rows that went before that checkpoint's barrier: it is never logged for a row that is not
 * in PostgreSQL.
 */
public final class SinkProgress<T> extends RichMapFunction<T, T>
        implements CheckpointedFunction, CheckpointListener {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SinkProgress.class);

    private final String table;
    private transient long sinceLastBarrier;
    private transient TreeMap<Long, Long> pendingByCheckpoint;
    private transient Counter rowsWritten;
    private transient Meter rowsPerSecond;

    public SinkProgress(String table) {
        this.table = table;
    }

    @Override
    public void open(OpenContext openContext) {
        TaskLogContext.set(getRuntimeContext());
        pendingByCheckpoint = new TreeMap<>();
        MetricGroup metrics =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("streampulse")
                        .addGroup("table", table);
        rowsWritten = metrics.counter("rowsWritten");
        // Rows handed to the table's sink per second (a one-minute average), as they come: what
        // the sink has to keep up with, where rowsWritten only moves on checkpoints.
        rowsPerSecond = metrics.meter("rowsPerSecond", new MeterView(60));
    }

    @Override
    public T map(T row) {
        sinceLastBarrier++;
        rowsPerSecond.markEvent();
        return row;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        if (sinceLastBarrier > 0) {
            pendingByCheckpoint.put(context.getCheckpointId(), sinceLastBarrier);
            sinceLastBarrier = 0;
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {}

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        Map<Long, Long> done = pendingByCheckpoint.headMap(checkpointId, true);
        long written = done.values().stream().mapToLong(Long::longValue).sum();
        done.clear();
        if (written > 0) {
            rowsWritten.inc(written);
            LOG.info("Wrote {} records to {}", written, table);
        }
    }
}
