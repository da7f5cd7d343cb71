package com.streampulse.job.aggregate;

import com.streampulse.job.alerts.AlertRules;
import com.streampulse.job.alerts.AlertRules.Verdict;
import com.streampulse.job.alerts.AlertThresholds;
import com.streampulse.job.records.AlertRow;
import com.streampulse.job.records.WindowCounts;
import java.io.Serializable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns a key's merged counts into its result row on every firing of its window (on time, then once
 * per late update), and evaluates the alert rules of its scope on the same firing.
 *
 * <p>Which alerts a window has raised is kept in per-window state, so a later firing that no longer
 * breaks a rule resolves that alert instead of leaving it active. The state goes with the window
 * when allowed lateness expires.
 */
public final class WindowResults<R>
        extends ProcessWindowFunction<WindowCounts, R, String, TimeWindow> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<AlertRow> ALERTS = new OutputTag<>("alerts") {};

    private static final MapStateDescriptor<String, String> RAISED =
            new MapStateDescriptor<>("raised-alerts", Types.STRING, Types.STRING);

    private final RowFactory<R> rows;
    private final String alertScope;
    private final AlertThresholds thresholds;

    private transient Counter alertsGenerated;

    /**
     * @param alertScope {@link AlertRules#SCOPE_REGION}, {@link AlertRules#SCOPE_CONTENT}, or null
     *     for a dimension without alerts
     */
    public WindowResults(RowFactory<R> rows, String alertScope, AlertThresholds thresholds) {
        this.rows = rows;
        this.alertScope = alertScope;
        this.thresholds = thresholds;
    }

    @Override
    public void open(OpenContext openContext) {
        alertsGenerated =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("streampulse")
                        .counter("alertsGenerated");
    }

    @Override
    public void process(
            String key, Context context, Iterable<WindowCounts> merged, Collector<R> out)
            throws Exception {
        WindowCounts counts = merged.iterator().next();
        TimeWindow window = context.window();
        out.collect(rows.create(counts, window.getEnd()));
        if (alertScope == null) {
            return;
        }
        MapState<String, String> raised = context.windowState().getMapState(RAISED);
        for (Verdict verdict : AlertRules.evaluate(alertScope, counts, thresholds)) {
            String previous = raised.get(verdict.alertType());
            if (verdict.breaks()) {
                if (previous == null) {
                    alertsGenerated.inc();
                }
                raised.put(verdict.alertType(), verdict.severity());
                context.output(ALERTS, row(verdict, verdict.severity(), counts, window, false));
            } else if (previous != null) {
                raised.remove(verdict.alertType());
                context.output(ALERTS, row(verdict, previous, counts, window, true));
            }
        }
    }

    private AlertRow row(
            Verdict v, String severity, WindowCounts c, TimeWindow window, boolean resolved) {
        boolean region = alertScope.equals(AlertRules.SCOPE_REGION);
        return new AlertRow(
                v.alertType(),
                severity,
                resolved ? "resolved: " + v.message() : v.message(),
                alertScope,
                c.key,
                region ? c.key : null,
                region ? null : c.key,
                v.metricName(),
                v.metricValue(),
                v.threshold(),
                window.getStart(),
                window.getEnd(),
                resolved);
    }

    @Override
    public void clear(Context context) throws Exception {
        if (alertScope != null) {
            context.windowState().getMapState(RAISED).clear();
        }
    }

    /** Builds a result row from a window's counts and end. */
    @FunctionalInterface
    public interface RowFactory<R> extends Serializable {
        R create(WindowCounts counts, long windowEnd);
    }
}
