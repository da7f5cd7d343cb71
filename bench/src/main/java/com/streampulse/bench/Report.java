package com.streampulse.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Prints the benchmark's tables and the targets of issue 6, met or missed. */
final class Report {

    private static final double MIB = 1024.0 * 1024.0;

    private final PrintStream out;

    Report(PrintStream out) {
        this.out = out;
    }

    void throughput(BenchOptions o, Map<String, List<ThroughputBench.Run>> runs) {
        out.printf(
                "%nThroughput: %,d events, %d partitions, parallelism %d, median of %d runs"
                        + " [min - max] after a warm-up%n",
                o.events(), o.partitions(), o.parallelism(), o.runs());
        out.printf(
                "| %-34s | %-29s | %-21s | %-15s | %-15s | %-13s | %-6s |%n",
                "scenario",
                "events/s",
                "CPU s / M events",
                "peak heap MiB",
                "live heap MiB",
                "peak RSS MiB",
                "rows");
        out.println(
                "|------------------------------------|-------------------------------|"
                        + "-----------------------|-----------------|-----------------|"
                        + "---------------|--------|");
        for (ThroughputBench.Scenario s : ThroughputBench.SCENARIOS) {
            List<ThroughputBench.Run> r = runs.get(s.key());
            Stats eps = stats(r, ThroughputBench.Run::eventsPerSecond);
            Stats cpu = stats(r, x -> x.usage().cpuSeconds() / (o.events() / 1e6));
            out.printf(
                    "| %-34s | %,9.0f [%,7.0f - %,7.0f] | %5.2f [%5.2f - %5.2f] | %,15.0f |"
                            + " %,15.0f | %,13.0f | %6.0f |%n",
                    s.label(),
                    eps.median(),
                    eps.min(),
                    eps.max(),
                    cpu.median(),
                    cpu.min(),
                    cpu.max(),
                    stats(r, x -> x.usage().peakHeapBytes() / MIB).median(),
                    stats(r, x -> x.usage().peakLiveHeapBytes() / MIB).median(),
                    stats(r, x -> x.usage().peakRssBytes() / MIB).median(),
                    stats(r, x -> (double) x.rows()).median());
        }
        double a = stats(runs.get("a"), ThroughputBench.Run::eventsPerSecond).median();
        double b = stats(runs.get("b"), ThroughputBench.Run::eventsPerSecond).median();
        double c = stats(runs.get("c"), ThroughputBench.Run::eventsPerSecond).median();
        double b0 = stats(runs.get("b0"), ThroughputBench.Run::eventsPerSecond).median();
        out.printf(
                "%nRatios of medians: (b)/(a) = %.2f, (b)/(c) = %.2f, (b)/(b0) = %.2f (issue 16's"
                        + " features on / off)%n",
                b / a, b / c, b / b0);
        out.println("Targets:");
        target("(b) >= 300,000 events/s", b >= 300_000, String.format("%,.0f", b));
        target("(b)/(a) >= 0.5", b / a >= 0.5, String.format("%.2f", b / a));
        target("(b)/(c) >= 1.0", b / c >= 1.0, String.format("%.2f", b / c));
        target("(b)/(b0) >= 0.8", b / b0 >= 0.8, String.format("%.2f", b / b0));
    }

    void latency(BenchOptions o, LatencyBench.Result r, long outOfOrdernessMillis) {
        out.printf(
                "%nLatency at %,d events/s for %d s (%,d sent, sender at worst %d ms behind),"
                        + " CPU %.2f cores:%n",
                o.latencyRate(),
                o.latencySeconds(),
                r.sent(),
                r.senderMaxBehindMillis(),
                r.cpuCores());
        out.printf(
                "  rows first visible in PostgreSQL after window end + %d ms out-of-orderness:"
                        + " %d rows of %d windows%n",
                outOfOrdernessMillis, r.latenciesMillis().size(), r.windows());
        double p99 = Stats.percentile(r.latenciesMillis(), 99);
        out.printf(
                "  p50 %,.0f ms   p99 %,.0f ms   max %,.0f ms%n",
                Stats.percentile(r.latenciesMillis(), 50),
                p99,
                Stats.percentile(r.latenciesMillis(), 100));
        target("latency p99 <= 1 s", p99 <= 1000, String.format("%,.0f ms", p99));
    }

    void scale(BenchOptions o, ScaleBench.Result r) {
        out.printf(
                "%nScale: %,d distinct content ids per minute for %d minutes (%,d events) in %.1f s"
                        + " (%,.0f events/s), %,d content_stats rows%n",
                o.scaleKeys(),
                o.scaleMinutes(),
                r.events(),
                r.seconds(),
                r.events() / r.seconds(),
                r.contentRows());
        out.printf(
                "  peak heap %,.0f MiB (live after GC %,.0f MiB), peak RSS %,.0f MiB, CPU %.1f s%n",
                r.usage().peakHeapBytes() / MIB,
                r.usage().peakLiveHeapBytes() / MIB,
                r.usage().peakRssBytes() / MIB,
                r.usage().cpuSeconds());
        long maxState = r.checkpoints().stream().mapToLong(c -> c.stateSizeBytes()).max().orElse(0);
        long maxMillis = r.checkpoints().stream().mapToLong(c -> c.millis()).max().orElse(0);
        out.printf(
                "  checkpoints (last %d kept by Flink): largest state %,.1f MiB, longest %,d ms%n",
                r.checkpoints().size(), maxState / MIB, maxMillis);
        for (BenchCluster.CheckpointStat c : r.checkpoints()) {
            out.printf(
                    "    #%-3d state %,9.1f MiB  written %,9.1f MiB  %,6d ms  %s%n",
                    c.id(),
                    c.stateSizeBytes() / MIB,
                    c.writtenBytes() / MIB,
                    c.millis(),
                    byTask(c));
        }
        if (r.afterExpiry() != null) {
            out.printf(
                    "  state after lateness expired (checkpoint #%d): %,.2f MiB; checkpoint"
                            + " directory %,.1f MiB%n",
                    r.afterExpiry().id(),
                    r.afterExpiry().stateSizeBytes() / MIB,
                    r.directorySizeBytes() / MIB);
        }
        target(
                "1M keys/minute in < 1 GiB heap (live after GC)",
                r.usage().peakLiveHeapBytes() < 1024 * MIB,
                String.format("%,.0f MiB", r.usage().peakLiveHeapBytes() / MIB));
    }

    private static String byTask(BenchCluster.CheckpointStat c) {
        StringBuilder sb = new StringBuilder();
        c.stateByTask()
                .forEach(
                        (task, bytes) ->
                                sb.append(sb.length() == 0 ? "" : ", ")
                                        .append(task, 0, Math.min(task.length(), 24))
                                        .append(String.format(" %,.1f", bytes / MIB)));
        return sb.toString();
    }

    private void target(String what, boolean met, String value) {
        out.printf("  [%s] %-48s %s%n", met ? "met   " : "MISSED", what, value);
    }

    private static Stats stats(
            List<ThroughputBench.Run> runs, ToDoubleFunction<ThroughputBench.Run> f) {
        return Stats.of(runs.stream().map(r -> f.applyAsDouble(r)).toList());
    }
}
