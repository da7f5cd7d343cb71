package com.streampulse.autoscaler;

import com.streampulse.autoscaler.decide.Decision;
import com.streampulse.autoscaler.decide.Observation;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The controller's metrics, rendered in the Prometheus text format for /metrics. */
public final class Metrics {

    /** The latest numbers of one deployment. */
    record Gauges(
            long lag,
            double inputRate,
            double processedRate,
            double capacity,
            int current,
            int desired) {}

    private final Map<String, Gauges> gauges = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> decisions = new ConcurrentHashMap<>();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean leader;

    public void leader(boolean value) {
        leader = value;
    }

    public boolean isLeader() {
        return leader;
    }

    public void error() {
        errors.incrementAndGet();
    }

    public void record(String namespace, String name, Observation obs, Decision decision) {
        String labels = "namespace=\"" + namespace + "\",deployment=\"" + name + "\"";
        gauges.put(
                labels,
                new Gauges(
                        obs == null ? 0 : obs.lag(),
                        obs == null ? Double.NaN : obs.inputRate(),
                        obs == null ? Double.NaN : obs.processedRate(),
                        decision.memory().capacity(),
                        decision.from(),
                        decision.desired() == 0 ? decision.to() : decision.desired()));
        decisions
                .computeIfAbsent(
                        labels + ",kind=\"" + decision.kind().label() + "\"", k -> new AtomicLong())
                .incrementAndGet();
    }

    public void forget(String namespace, String name) {
        String labels = "namespace=\"" + namespace + "\",deployment=\"" + name + "\"";
        gauges.remove(labels);
    }

    long errors() {
        return errors.get();
    }

    public long decisions(String namespace, String name, Decision.Kind kind) {
        AtomicLong count =
                decisions.get(
                        "namespace=\""
                                + namespace
                                + "\",deployment=\""
                                + name
                                + "\",kind=\""
                                + kind.label()
                                + "\"");
        return count == null ? 0 : count.get();
    }

    public String render() {
        StringBuilder out = new StringBuilder();
        Map<String, Gauges> sorted = new TreeMap<>(gauges);
        gauge(out, sorted, "lag_records", "Records the consumer group is behind", g -> g.lag());
        gauge(
                out,
                sorted,
                "input_rate",
                "Records per second arriving on the topic",
                g -> g.inputRate());
        gauge(
                out,
                sorted,
                "processed_rate",
                "Records per second committed by the group",
                g -> g.processedRate());
        gauge(
                out,
                sorted,
                "capacity_per_instance",
                "Learned records per second per parallel instance (NaN until seen saturated)",
                g -> g.capacity());
        gauge(out, sorted, "current_parallelism", "Parallelism the job runs at", g -> g.current());
        gauge(
                out,
                sorted,
                "desired_parallelism",
                "Parallelism the load calls for",
                g -> g.desired());
        out.append("# HELP streampulse_autoscaler_decisions_total Decisions by kind\n")
                .append("# TYPE streampulse_autoscaler_decisions_total counter\n");
        new TreeMap<>(decisions)
                .forEach(
                        (labels, count) ->
                                out.append("streampulse_autoscaler_decisions_total{")
                                        .append(labels)
                                        .append("} ")
                                        .append(count.get())
                                        .append('\n'));
        out.append("# HELP streampulse_autoscaler_errors_total Failed Kafka or Kubernetes calls\n")
                .append("# TYPE streampulse_autoscaler_errors_total counter\n")
                .append("streampulse_autoscaler_errors_total ")
                .append(errors.get())
                .append('\n');
        out.append("# HELP streampulse_autoscaler_leader 1 while this instance holds the Lease\n")
                .append("# TYPE streampulse_autoscaler_leader gauge\n")
                .append("streampulse_autoscaler_leader ")
                .append(leader ? 1 : 0)
                .append('\n');
        return out.toString();
    }

    private interface Value {
        double of(Gauges g);
    }

    private static void gauge(
            StringBuilder out, Map<String, Gauges> sorted, String name, String help, Value value) {
        String metric = "streampulse_autoscaler_" + name;
        out.append("# HELP ").append(metric).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(metric).append(" gauge\n");
        sorted.forEach(
                (labels, g) ->
                        out.append(metric)
                                .append('{')
                                .append(labels)
                                .append("} ")
                                .append(format(value.of(g)))
                                .append('\n'));
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
