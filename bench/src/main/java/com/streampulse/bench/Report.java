package com.streampulse.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
                "%nRatios of medians: (b)/(a) = %.2f, (b)/(c) = %.2f, (b)/(b0) = %.2f (the"
                        + " defaults against trending, anomaly alerts and sessions all off)%n",
                b / a, b / c, b / b0);
        out.println("Targets:");
        String when =
                String.format(
                        "tiny, %,d events bounded, parallelism %d, median of %d; %s",
                        o.events(), o.parallelism(), o.runs(), Load.describe());
        target("(b) >= 300,000 events/s", b >= 300_000, String.format("%,.0f", b), when);
        target("(b)/(a) >= 0.5", b / a >= 0.5, String.format("%.2f", b / a), when);
        target("(b)/(c) >= 1.0", b / c >= 1.0, String.format("%.2f", b / c), when);
        target("(b)/(b0) >= 0.8", b / b0 >= 0.8, String.format("%.2f", b / b0), when);
    }

    void latency(LatencyBench.Result r, double share, String of, long outOfOrdernessMillis) {
        List<Double> behind = r.behindMillis();
        out.printf(
                "%nLatency, shape %s (%s), %,.0f events/s (%.0f %% of %s) for %.0f s, %d s"
                        + " windows; loaded beforehand (%,d events in %.0f s), read paced by a"
                        + " broker quota, no generator running; CPU %.2f cores; %s%n",
                r.shape().label(),
                r.shape().keyCounts(),
                r.rate(),
                share * 100,
                of,
                r.seconds(),
                r.window().toSeconds(),
                r.loaded().records(),
                r.loaded().seconds(),
                r.cpuCores(),
                r.load());
        out.printf(
                "  pacing error, reads behind the schedule (negative: ahead), %,d samples: p50"
                        + " %,.0f  p90 %,.0f  p99 %,.0f  max %,.0f  most ahead %,.0f ms%n",
                behind.size(),
                Stats.percentile(behind, 50),
                Stats.percentile(behind, 90),
                Stats.percentile(behind, 99),
                Stats.percentile(behind, 100),
                Stats.percentile(behind, 0));
        List<Double> close = r.afterWindowClose();
        List<Double> newest = r.afterNewestEvent();
        out.printf(
                "  (i) window end + %d ms out-of-orderness -> row visible: p50 %,.0f  p90 %,.0f "
                        + " p99 %,.0f  max %,.0f ms (%,d rows of %d window firings; %d due)%n",
                outOfOrdernessMillis,
                Stats.percentile(close, 50),
                Stats.percentile(close, 90),
                Stats.percentile(close, 99),
                Stats.percentile(close, 100),
                close.size(),
                r.windows(),
                r.windowsDue());
        out.printf(
                "  (ii) newest event created -> row visible: p50 %,.0f  p90 %,.0f  p99 %,.0f ms%n",
                Stats.percentile(newest, 50),
                Stats.percentile(newest, 90),
                Stats.percentile(newest, 99));
        if (share >= 0.8 && of.equals("sustained")) {
            double p99 = Stats.percentile(close, 99);
            target(
                    "catalog p99 <= 2 s at 80 % of sustained, >= 30 windows",
                    p99 <= 2000 && r.windows() >= 30,
                    String.format("%,.0f ms over %d windows", p99, r.windows()),
                    String.format(
                            "%,.0f events/s, %d s windows, %.0f s, pacing error p99 %,.0f ms;"
                                    + " %s",
                            r.rate(),
                            r.window().toSeconds(),
                            r.seconds(),
                            Stats.percentile(behind, 99),
                            r.load()));
        }
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
                "  checkpoints (%d completed): largest state %,.1f MiB, longest %,d ms%n",
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
                String.format("%,d keys/minute in < 1 GiB heap (live after GC)", o.scaleKeys()),
                r.usage().peakLiveHeapBytes() < 1024 * MIB,
                String.format("%,.0f MiB", r.usage().peakLiveHeapBytes() / MIB),
                String.format(
                        "whole process (broker, MiniCluster, job), %s; %s",
                        o.scaleMinutes() + " minutes of event time", Load.describe()));
    }

    void sustained(SustainedBench.Result r) {
        out.printf(
                "%nSustained, shape %s (%s), parallelism %d, event time %,.0f events/s, %s:%n",
                r.shape().label(),
                r.shape().keyCounts(),
                r.parallelism(),
                r.eventTimeRate(),
                r.features().label());
        out.printf(
                "  %,.0f events/s read and processed over %.0f s of steady state (%,d records);"
                        + " %s%n",
                r.eventsPerSecond(), r.steadySeconds(), r.readInSteadyState(), r.loadBefore());
        out.printf(
                "  backlog %,d records at the start of the steady state, %,d at its end (%s);"
                        + " %,d content_stats rows so far%n",
                r.backlogAtStart(),
                r.backlogAtEnd(),
                r.ranOut() ? r.ranOutNote() : "fed faster than it read throughout",
                r.contentRows());
        out.printf(
                "  checkpoints completed in steady state: %d; durations %s ms%n",
                r.checkpointsInSteadyState(),
                r.checkpoints().stream().map(c -> String.format("%,d", c.millis())).toList());
        if (!r.checkpoints().isEmpty()) {
            // Full sizes, not the increments written: what each task keeps (issue 16's state).
            BenchCluster.CheckpointStat last = r.checkpoints().get(r.checkpoints().size() - 1);
            out.printf(
                    "  state at the last checkpoint (#%d): %,.1f MiB in all; tasks over 1 MiB:"
                            + " %s%n",
                    last.id(), last.stateSizeBytes() / MIB, byTask(last));
        }
        out.printf("  back-pressured ms/s per task: %s%n", rounded(r.backPressuredMsPerSecond()));
        out.printf("  busy ms/s per task: %s%n", rounded(r.busyMsPerSecond()));
        out.printf(
                "  heap peak %,.0f MiB, live %,.0f MiB after a full collection at the end (at"
                        + " most %,.0f MiB after any collection, old garbage included), peak RSS"
                        + " %,.0f MiB, RocksDB's native memory %,.0f MiB at the end (its block"
                        + " cache, memtables included, within 512 MiB of managed memory), CPU %.0f"
                        + " s (%.2f us per event, PostgreSQL not included); %s at the end%n",
                r.usage().peakHeapBytes() / MIB,
                r.liveHeapAtEndBytes() / MIB,
                r.usage().peakLiveHeapBytes() / MIB,
                r.usage().peakRssBytes() / MIB,
                r.rocksDbCacheBytes() / MIB,
                r.usage().cpuSeconds(),
                r.cpuMicrosPerEvent(),
                r.loadAfter());
        String when =
                String.format(
                        "%s, parallelism %d, %.0f s steady after a warm-up, checkpoints every"
                                + " %d s, %s; %s",
                        r.shape().label(),
                        r.parallelism(),
                        r.steadySeconds(),
                        SustainedBench.CHECKPOINT_INTERVAL.toSeconds(),
                        r.ranOut() ? "backlog RAN OUT" : "backlog left at the end",
                        r.loadBefore());
        if (r.features() != SustainedBench.Features.DEFAULTS) {
            return; // the targets below are the production job's, with its defaults
        }
        switch (r.shape()) {
            case CATALOG -> {
                rateTarget(r, "catalog sustained >= 250,000 events/s", 250_000, when);
                target(
                        "catalog TaskManager heap <= 1 GiB live",
                        r.liveHeapAtEndBytes() <= 1024 * MIB,
                        String.format(
                                "%,.0f MiB after a full collection at the end (the whole"
                                        + " process)",
                                r.liveHeapAtEndBytes() / MIB),
                        when);
            }
            case WIDE -> {
                rateTarget(r, "wide sustained >= 150,000 events/s", 150_000, when);
                target(
                        "wide longest checkpoint <= 10 s",
                        r.longestCheckpointMillis() <= 10_000 && !r.checkpoints().isEmpty(),
                        String.format(
                                "%,d ms over %d checkpoints",
                                r.longestCheckpointMillis(), r.checkpoints().size()),
                        when);
            }
            case TINY, CATALOG_1K -> {}
        }
    }

    /**
     * Issue 16's target: what trending, anomaly alerts and sessions cost, on or off together; and,
     * for the record, what the first two cost without sessions. One ratio per round (the runs of a
     * round against each other); over several rounds the median and the range.
     */
    void features(
            List<SustainedBench.Result> off,
            List<SustainedBench.Result> noSessions,
            List<SustainedBench.Result> on) {
        String what = "catalog, all three features on >= 0.8 of off";
        String when =
                String.format(
                        "%s, parallelism %d, %d round(s) of %.0f s steady each, checkpoints every"
                                + " %d s; load before each run: %s",
                        on.get(0).shape().label(),
                        on.get(0).parallelism(),
                        on.size(),
                        on.get(0).plannedSeconds(),
                        SustainedBench.CHECKPOINT_INTERVAL.toSeconds(),
                        Stream.of(off, noSessions, on)
                                .flatMap(List::stream)
                                .map(SustainedBench.Result::loadBefore)
                                .toList());
        for (List<SustainedBench.Result> runs : List.of(off, noSessions, on)) {
            for (SustainedBench.Result r : runs) {
                if (r.ranOut()) {
                    out.printf(
                            "  [NO FIGURE] %-48s a backlog ran out: %s  (%s)%n",
                            what, r.ranOutNote(), when);
                    return;
                }
            }
        }
        out.printf(
                "  without sessions: %s of off; CPU per event, median: %.2f us off, %.2f us without"
                        + " sessions, %.2f us all on%n",
                spread(ratios(noSessions, off)),
                medianCpuPerEvent(off),
                medianCpuPerEvent(noSessions),
                medianCpuPerEvent(on));
        List<Double> allOn = ratios(on, off);
        double median = Stats.percentile(allOn, 50);
        target(
                what,
                median >= 0.8,
                String.format(
                        "%s (events/s on: %s; off: %s)", spread(allOn), rates(on), rates(off)),
                when);
    }

    /** {@code a}'s rate over {@code b}'s, round by round. */
    private static List<Double> ratios(
            List<SustainedBench.Result> a, List<SustainedBench.Result> b) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            ratios.add(a.get(i).eventsPerSecond() / b.get(i).eventsPerSecond());
        }
        return ratios;
    }

    private static double medianCpuPerEvent(List<SustainedBench.Result> runs) {
        return Stats.percentile(
                runs.stream().map(SustainedBench.Result::cpuMicrosPerEvent).toList(), 50);
    }

    /** One value as it is; several as their median and range. */
    private static String spread(List<Double> values) {
        if (values.size() == 1) {
            return String.format("%.2f", values.get(0));
        }
        return String.format(
                "%.2f median (%.2f-%.2f over %d rounds)",
                Stats.percentile(values, 50),
                Stats.percentile(values, 0),
                Stats.percentile(values, 100),
                values.size());
    }

    private static String rates(List<SustainedBench.Result> runs) {
        return runs.stream()
                .map(r -> String.format("%,.0f", r.eventsPerSecond()))
                .collect(Collectors.joining(", "));
    }

    /** The sink target: the job's upserts of {@code wide} rows, inserts and updates alike. */
    void sink(List<SinkBench.Result> job, int rows, int batch) {
        double inserts =
                Stats.percentile(job.stream().map(SinkBench.Result::insertsPerSecond).toList(), 50);
        double updates =
                Stats.percentile(job.stream().map(SinkBench.Result::updatesPerSecond).toList(), 50);
        target(
                "wide PostgreSQL upserts >= 150,000 rows/s",
                Math.min(inserts, updates) >= 150_000,
                String.format("%,.0f inserts, %,.0f updates per second", inserts, updates),
                String.format(
                        "the job's sink, median of %d rounds of %,d wide content_stats rows in"
                                + " batches of %,d, one connection; %s",
                        job.size(), rows, batch, Load.describe()));
    }

    void curves(List<SustainedBench.Result> results) {
        out.printf(
                "%n| shape | keys | parallelism | events/s | CPU s | backlog left | load average"
                        + " |%n|---|---|---:|---:|---:|---|---|%n");
        for (SustainedBench.Result r : results) {
            out.printf(
                    "| %s | %s | %d%s | %,.0f | %.0f | %s | %s |%n",
                    r.shape().label(),
                    r.shape().keyCounts(),
                    r.parallelism(),
                    r.parallelism() > 2 ? " (2 cores)" : "",
                    r.eventsPerSecond(),
                    r.usage().cpuSeconds(),
                    r.backlogAtEnd() > 0 ? String.format("%,d", r.backlogAtEnd()) : "ran out",
                    r.loadBefore());
        }
    }

    void peer(PeerBench.Result r) {
        out.printf(
                "%nPeer, %,d clean catalog events (%s), bounded, parallelism 2; %s%n",
                r.events(), com.streampulse.generator.WorkloadShape.CATALOG.keyCounts(), r.load());
        out.printf(
                "  the job %,.0f events/s, pure Flink SQL %,.0f events/s (job/SQL %.2f)%n",
                r.jobPerSecond(), r.sqlPerSecond(), r.jobPerSecond() / r.sqlPerSecond());
        out.printf(
                "  rows: job %,d, SQL %,d; only in the job %,d, only in SQL %,d%n",
                r.jobRows(), r.sqlRows(), r.onlyInJob(), r.onlyInSql());
        target(
                "job >= 1.5x the pure Flink SQL peer (bounded runs)",
                r.jobPerSecond() >= 1.5 * r.sqlPerSecond(),
                String.format("%.2fx", r.jobPerSecond() / r.sqlPerSecond()),
                String.format(
                        "%,d clean catalog events, bounded, parallelism 2; %s",
                        r.events(), r.load()));
        target(
                "peer rows equal the job's",
                r.onlyInJob() == 0 && r.onlyInSql() == 0,
                String.format("%,d + %,d differ", r.onlyInJob(), r.onlyInSql()),
                "the three stats tables, counts exactly, decimals to 4 places");
    }

    private static Map<String, Long> rounded(Map<String, Double> perTask) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        perTask.forEach(
                (task, v) ->
                        out.put(task.substring(0, Math.min(task.length(), 40)), Math.round(v)));
        return out;
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

    /**
     * A sustained rate target: met or missed only when the backlog lasted; a run that read it all
     * measured how fast the job emptied it, not what it sustains, so it says so instead.
     */
    private void rateTarget(SustainedBench.Result r, String what, double target, String when) {
        if (r.ranOut()) {
            out.printf("  [NO FIGURE] %-48s %s  (%s)%n", what, r.ranOutNote(), when);
        } else {
            target(
                    what,
                    r.eventsPerSecond() >= target,
                    String.format("%,.0f events/s", r.eventsPerSecond()),
                    when);
        }
    }

    /** One target's status, its measured value and the conditions it was measured under. */
    private void target(String what, boolean met, String value, String conditions) {
        out.printf("  [%s] %-48s %s  (%s)%n", met ? "met   " : "MISSED", what, value, conditions);
    }

    private static Stats stats(
            List<ThroughputBench.Run> runs, ToDoubleFunction<ThroughputBench.Run> f) {
        return Stats.of(runs.stream().map(r -> f.applyAsDouble(r)).toList());
    }
}
