package com.streampulse.job.aggregate;

import com.streampulse.job.TaskLogContext;
import com.streampulse.job.alerts.AlertRules;
import com.streampulse.job.alerts.AlertRules.Verdict;
import com.streampulse.job.alerts.AlertThresholds;
import com.streampulse.job.records.AlertRow;
import com.streampulse.job.records.AlertRow.Change;
import com.streampulse.job.records.WindowCounts;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns a key's merged counts into its result row on every firing of its window (on time, then once
 * per late update), and the current verdict of every alert rule of its scope.
 *
 * <p>The verdicts are a function of the window's counts alone, never of what an earlier firing or
 * an earlier attempt wrote: a rule that breaks now raises its row; one that holds now but broke on
 * the window's on-time events resolves it (which events were on time depends only on the order of
 * records within each Kafka partition, so every run agrees); one that holds on both withdraws a row
 * that an earlier firing may have raised on part of the late data. The window's last firing, which
 * counted every event, therefore leaves the same row in every run, restarts included. No state.
 */
public final class WindowResults<R>
        extends ProcessWindowFunction<WindowCounts, R, String, TimeWindow> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<AlertRow> ALERTS = new OutputTag<>("alerts") {};

    /** Every firing's merged counts, for the anomaly baselines (when asked for). */
    public static final OutputTag<WindowCounts> COUNTS = new OutputTag<>("window-counts") {};

    private final RowFactory<R> rows;
    private final String alertScope;
    private final AlertThresholds thresholds;
    private final boolean emitCounts;

    private transient Counter alertsGenerated;
    private transient Map<String, Counter> verdictCounters;

    /**
     * @param alertScope {@link AlertRules#SCOPE_REGION}, {@link AlertRules#SCOPE_CONTENT}, or null
     *     for a dimension without alerts
     */
    public WindowResults(RowFactory<R> rows, String alertScope, AlertThresholds thresholds) {
        this(rows, alertScope, thresholds, false);
    }

    /**
     * @param emitCounts also send every firing's counts to {@link #COUNTS}
     */
    public WindowResults(
            RowFactory<R> rows, String alertScope, AlertThresholds thresholds, boolean emitCounts) {
        this.rows = rows;
        this.alertScope = alertScope;
        this.thresholds = thresholds;
        this.emitCounts = emitCounts;
    }

    @Override
    public void open(OpenContext openContext) {
        TaskLogContext.set(getRuntimeContext());
        verdictCounters = new HashMap<>();
        alertsGenerated =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("streampulse")
                        .counter("alertsGenerated");
    }

    @Override
    public void process(
            String key, Context context, Iterable<WindowCounts> merged, Collector<R> out) {
        WindowCounts counts = merged.iterator().next();
        TimeWindow window = context.window();
        out.collect(rows.create(counts, window.getEnd()));
        if (emitCounts) {
            context.output(COUNTS, counts);
        }
        if (alertScope == null) {
            return;
        }
        List<Verdict> onTime = AlertRules.evaluate(alertScope, counts.onTime(), thresholds);
        for (Verdict now : AlertRules.evaluate(alertScope, counts, thresholds)) {
            Verdict first = sameRule(onTime, now);
            if (now.breaks()) {
                alertsGenerated.inc();
                verdicts("alertsRaised", now.alertType(), now.severity()).inc();
                context.output(ALERTS, row(Change.RAISE, now, now.severity(), counts, window));
            } else if (first != null && first.breaks()) {
                verdicts("alertsResolved", now.alertType(), first.severity()).inc();
                context.output(ALERTS, row(Change.RESOLVE, now, first.severity(), counts, window));
            } else if (counts.hasLateUpdates()) {
                context.output(ALERTS, row(Change.WITHDRAW, now, null, counts, window));
            }
        }
    }

    /**
     * Raise or resolve verdicts by alert type and severity. Counted per firing (the job keeps no
     * verdict state: a window that fires again while it still breaks a rule counts again); the
     * exact state changes are the rows of alert_outbox.
     */
    private Counter verdicts(String name, String alertType, String severity) {
        return verdictCounters.computeIfAbsent(
                name + ' ' + alertType + ' ' + severity,
                k ->
                        getRuntimeContext()
                                .getMetricGroup()
                                .addGroup("streampulse")
                                .addGroup("alert_type", alertType)
                                .addGroup("severity", severity)
                                .counter(name));
    }

    private static Verdict sameRule(List<Verdict> verdicts, Verdict rule) {
        for (Verdict v : verdicts) {
            if (v.alertType().equals(rule.alertType())) {
                return v;
            }
        }
        return null;
    }

    private AlertRow row(
            Change change, Verdict v, String severity, WindowCounts c, TimeWindow window) {
        boolean region = alertScope.equals(AlertRules.SCOPE_REGION);
        return new AlertRow(
                change,
                v.alertType(),
                severity,
                change == Change.RAISE ? v.message() : "resolved: " + v.message(),
                alertScope,
                c.key,
                region ? c.key : null,
                region ? null : c.key,
                v.metricName(),
                v.metricValue(),
                v.threshold(),
                window.getStart(),
                window.getEnd(),
                c.total);
    }

    /** Builds a result row from a window's counts and end. */
    @FunctionalInterface
    public interface RowFactory<R> extends Serializable {
        R create(WindowCounts counts, long windowEnd);
    }
}
