package com.streampulse.job.anomaly;

import com.streampulse.job.alerts.AlertRules;
import com.streampulse.job.anomaly.AnomalyRules.Anomaly;
import com.streampulse.job.records.AlertRow;
import com.streampulse.job.records.AlertRow.Change;
import com.streampulse.job.records.WindowCounts;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Anomaly alerts per region, on baselines learned from final windows only. Keyed by region; its
 * input is every firing of the region windows (on time, then each late update).
 *
 * <p>Why it needs no timers and no watermark: a firing of window W means the windows upstream have
 * seen event time reach W's end, so every window X that ended at least the allowed lateness before
 * W started is closed for good, and its last firing came before W's on the same channel. Such X are
 * final; they are learned, in the order of their start, on W's firing. W is judged against the
 * baseline learned from exactly the windows that ended by {@code W.start − lateness}: a function of
 * the log alone, the same on every firing of W and in every replay, whatever the watermark did in
 * between. The baselines of the last few cut-offs are kept so a late firing finds its own (with the
 * hour-of-day profile, also the newest of every hour: see {@link BaselineHistory}).
 *
 * <p>Each firing writes the current verdict of every warmed-up metric, like the fixed rules: raise
 * when it breaks now, resolve when it broke on the window's on-time events, withdraw otherwise.
 */
public final class AnomalyDetector extends KeyedProcessFunction<String, WindowCounts, AlertRow> {

    private static final long serialVersionUID = 1L;

    private final long windowMillis;
    private final long latenessMillis;
    private final AnomalySettings settings;

    /** Window start → the window's latest counts, until it is final and learned. */
    private transient MapState<Long, WindowCounts> pending;

    /** Cut-off (end of the newest learned window) → the baseline learned up to it. */
    private transient MapState<Long, Baseline> baselines;

    private transient Counter alertsGenerated;

    private transient BaselineHistory rule;

    public AnomalyDetector(long windowMillis, long latenessMillis, AnomalySettings settings) {
        this.windowMillis = windowMillis;
        this.latenessMillis = latenessMillis;
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending-windows",
                                        Types.LONG,
                                        TypeInformation.of(WindowCounts.class)));
        baselines =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "baselines",
                                        Types.LONG,
                                        TypeInformation.of(Baseline.class)));
        rule = new BaselineHistory(windowMillis, settings);
        alertsGenerated =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("streampulse")
                        .counter("alertsGenerated");
    }

    @Override
    public void processElement(WindowCounts counts, Context ctx, Collector<AlertRow> out)
            throws Exception {
        long cutoff = counts.windowStart - latenessMillis;
        TreeMap<Long, Baseline> history = learnUpTo(cutoff);
        pending.put(counts.windowStart, counts);
        Baseline baseline = rule.asOf(history, cutoff, counts.windowStart);
        for (Long obsolete : rule.obsolete(history, cutoff - latenessMillis)) {
            baselines.remove(obsolete);
        }

        String region = ctx.getCurrentKey();
        List<Anomaly> onTime = AnomalyRules.judge(region, counts.onTime(), baseline, settings);
        for (Anomaly now : AnomalyRules.judge(region, counts, baseline, settings)) {
            Anomaly first = sameMetric(onTime, now);
            if (now.breaks()) {
                alertsGenerated.inc();
                out.collect(row(Change.RAISE, now, now.severity(), counts));
            } else if (first != null && first.breaks()) {
                out.collect(row(Change.RESOLVE, now, first.severity(), counts));
            } else if (counts.hasLateUpdates()) {
                out.collect(row(Change.WITHDRAW, now, null, counts));
            }
        }
    }

    /**
     * Learns every pending window that ended by {@code cutoff}, oldest first, and returns the
     * baselines by cut-off.
     */
    private TreeMap<Long, Baseline> learnUpTo(long cutoff) throws Exception {
        TreeMap<Long, Baseline> history = new TreeMap<>();
        for (Map.Entry<Long, Baseline> e : baselines.entries()) {
            history.put(e.getKey(), e.getValue());
        }
        TreeMap<Long, WindowCounts> finals = new TreeMap<>();
        for (Map.Entry<Long, WindowCounts> e : pending.entries()) {
            if (e.getKey() + windowMillis <= cutoff) {
                finals.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<Long, Baseline> learned : rule.learn(history, finals).entrySet()) {
            baselines.put(learned.getKey(), learned.getValue());
        }
        for (Long start : finals.keySet()) {
            pending.remove(start);
        }
        return history;
    }

    private static Anomaly sameMetric(List<Anomaly> verdicts, Anomaly verdict) {
        for (Anomaly a : verdicts) {
            if (a.metric() == verdict.metric()) {
                return a;
            }
        }
        return null;
    }

    private AlertRow row(Change change, Anomaly a, String severity, WindowCounts c) {
        return new AlertRow(
                change,
                a.metric().alertType,
                severity,
                change == Change.RAISE ? a.message() : "resolved: " + a.message(),
                AlertRules.SCOPE_REGION,
                c.key,
                c.key,
                null,
                a.metric().metricName,
                a.value(),
                a.threshold(),
                c.windowStart,
                c.windowStart + windowMillis,
                c.total,
                a.expected(),
                a.deviation());
    }
}
