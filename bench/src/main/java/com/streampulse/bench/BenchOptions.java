package com.streampulse.bench;

import com.streampulse.generator.WorkloadShape;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one {@code make bench} run measures. Every value has a default; {@code --name=value}
 * overrides it (the Makefile passes its {@code BENCH_*} variables this way).
 *
 * @param events events loaded once into the throughput topic
 * @param seed the generator's seed: the same seed and start give the same bytes
 * @param partitions partitions of every topic the benchmark creates
 * @param parallelism the jobs' parallelism (one slot per core here)
 * @param runs measured runs per throughput scenario, after one warm-up each
 * @param eventRate events per second of event time in the throughput data set
 * @param checkpointInterval seconds between checkpoints in (b) and (c)
 * @param latencyRate events per second sent during the latency phase
 * @param latencySeconds how long the latency phase sends
 * @param scaleKeys distinct content ids per minute in the scale phase
 * @param scaleMinutes minutes of event time in the scale phase
 * @param phases which phases run: throughput, sustained, curves, peer, latency, scale
 * @param shapes the workload shapes the sustained phase measures
 * @param sustainedEvents events loaded as the sustained phase's backlog, per shape
 * @param warmupSeconds how long the sustained job runs before it is measured
 * @param steadySeconds how long the sustained job is measured (less if the backlog runs out)
 * @param latencyWindowSeconds the window size of the latency runs, short for many firings
 */
public record BenchOptions(
        int events,
        long seed,
        int partitions,
        int parallelism,
        int runs,
        int eventRate,
        int checkpointInterval,
        int latencyRate,
        int latencySeconds,
        int scaleKeys,
        int scaleMinutes,
        Set<String> phases,
        List<WorkloadShape> shapes,
        int sustainedEvents,
        int warmupSeconds,
        int steadySeconds,
        int latencyWindowSeconds) {

    public static final Set<String> ALL_PHASES =
            Set.of("throughput", "latency", "scale", "sustained", "peer", "curves");

    public BenchOptions {
        if (events < 1 || partitions < 1 || parallelism < 1 || runs < 1) {
            throw new IllegalArgumentException(
                    "events, partitions, parallelism and runs must be positive");
        }
        if (!ALL_PHASES.containsAll(phases)) {
            throw new IllegalArgumentException("phases must be among " + ALL_PHASES);
        }
        phases = Set.copyOf(phases);
        shapes = List.copyOf(shapes);
    }

    public static BenchOptions parse(String... args) {
        Map<String, String> values = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
            }
            int eq = arg.indexOf('=');
            values.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        String phases = values.remove("phases");
        String shapes = values.remove("shapes");
        BenchOptions options =
                new BenchOptions(
                        integer(values, "events", 5_000_000),
                        Long.parseLong(
                                java.util.Objects.requireNonNullElse(values.remove("seed"), "42")),
                        integer(values, "partitions", 8),
                        integer(values, "parallelism", Runtime.getRuntime().availableProcessors()),
                        integer(values, "runs", 3),
                        integer(values, "event-rate", 50_000),
                        integer(values, "checkpoint-interval", 10),
                        integer(values, "latency-rate", 50_000),
                        integer(values, "latency-seconds", 200),
                        integer(values, "scale-keys", 1_000_000),
                        integer(values, "scale-minutes", 2),
                        Set.of((phases == null ? String.join(",", ALL_PHASES) : phases).split(",")),
                        Arrays.stream((shapes == null ? "catalog,wide" : shapes).split(","))
                                .map(WorkloadShape::parse)
                                .toList(),
                        integer(values, "sustained-events", 20_000_000),
                        integer(values, "warmup-seconds", 60),
                        integer(values, "steady-seconds", 120),
                        integer(values, "latency-window-seconds", 5));
        if (!values.isEmpty()) {
            throw new IllegalArgumentException("unknown options " + values.keySet());
        }
        return options;
    }

    private static int integer(Map<String, String> values, String name, int defaultValue) {
        String value = values.remove(name);
        return value == null ? defaultValue : Integer.parseInt(value.replace("_", ""));
    }
}
