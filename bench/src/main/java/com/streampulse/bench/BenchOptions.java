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
 * @param phases which phases run: throughput, sustained, features, curves, peer, latency, sink,
 *     scale
 * @param shapes the workload shapes the sustained phase measures
 * @param sustainedEvents events loaded as the sustained phase's backlog, per shape: {@code N} for
 *     every shape, or {@code shape:N,shape:N} (see {@link #backlog})
 * @param warmupSeconds how long the sustained job runs before it is measured
 * @param steadySeconds how long the sustained job is measured (less if the backlog runs out)
 * @param latencyWindowSeconds the window size of the latency runs, short for many firings
 * @param curveEvents backlog of every shape in the curves section; 0 (the default): the sustained
 *     section's backlogs, and the topics it loaded if it ran first
 * @param curveWarmupSeconds warm-up of each curve point
 * @param curveSteadySeconds measured time of each curve point
 * @param featureRounds how many times the features section runs its three jobs, in alternating
 *     order, for a spread of the ratios
 * @param flinkConf Flink settings applied to the sustained, curve, latency and scale jobs on top of
 *     the job's own ({@code --flink=key=value,key=value}), for measuring a setting before adopting
 *     it
 * @param jobEnv job variables for those jobs ({@code --job-env=NAME=value,NAME=value}), e.g. {@code
 *     TRENDING_ENABLED=false}
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
        Map<WorkloadShape, Integer> sustainedEvents,
        int warmupSeconds,
        int steadySeconds,
        int latencyWindowSeconds,
        int curveEvents,
        int curveWarmupSeconds,
        int curveSteadySeconds,
        int featureRounds,
        Map<String, String> flinkConf,
        Map<String, String> jobEnv) {

    public static final Set<String> ALL_PHASES =
            Set.of(
                    "throughput",
                    "latency",
                    "scale",
                    "sustained",
                    "features",
                    "peer",
                    "curves",
                    "sink");

    public BenchOptions {
        if (events < 1 || partitions < 1 || parallelism < 1 || runs < 1 || featureRounds < 1) {
            throw new IllegalArgumentException(
                    "events, partitions, parallelism, runs and feature rounds must be positive");
        }
        if (!ALL_PHASES.containsAll(phases)) {
            throw new IllegalArgumentException("phases must be among " + ALL_PHASES);
        }
        phases = Set.copyOf(phases);
        shapes = List.copyOf(shapes);
        sustainedEvents = Map.copyOf(sustainedEvents);
        flinkConf = Map.copyOf(flinkConf);
        jobEnv = Map.copyOf(jobEnv);
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
                        integer(values, "latency-seconds", 320),
                        integer(values, "scale-keys", 1_000_000),
                        integer(values, "scale-minutes", 2),
                        Set.of((phases == null ? String.join(",", ALL_PHASES) : phases).split(",")),
                        Arrays.stream((shapes == null ? "catalog,wide,tiny" : shapes).split(","))
                                .map(WorkloadShape::parse)
                                .toList(),
                        backlogs(values.remove("sustained-events")),
                        integer(values, "warmup-seconds", 20),
                        integer(values, "steady-seconds", 120),
                        integer(values, "latency-window-seconds", 10),
                        integer(values, "curve-events", 0),
                        integer(values, "curve-warmup-seconds", 15),
                        integer(values, "curve-steady-seconds", 30),
                        integer(values, "feature-rounds", 1),
                        pairs(values.remove("flink")),
                        pairs(values.remove("job-env")));
        if (!values.isEmpty()) {
            throw new IllegalArgumentException("unknown options " + values.keySet());
        }
        return options;
    }

    /** The same options with the curves' backlog and durations as the sustained ones. */
    BenchOptions forCurves() {
        return new BenchOptions(
                events,
                seed,
                partitions,
                parallelism,
                runs,
                eventRate,
                checkpointInterval,
                latencyRate,
                latencySeconds,
                scaleKeys,
                scaleMinutes,
                phases,
                shapes,
                curveEvents > 0 ? backlogs(Integer.toString(curveEvents)) : sustainedEvents,
                curveWarmupSeconds,
                curveSteadySeconds,
                latencyWindowSeconds,
                curveEvents,
                curveWarmupSeconds,
                curveSteadySeconds,
                featureRounds,
                flinkConf,
                jobEnv);
    }

    /** The backlog the sustained phase loads for {@code shape}. */
    int backlog(WorkloadShape shape) {
        return sustainedEvents.get(shape);
    }

    /**
     * Backlogs per shape, sized so that each is read for longer than the warm-up and the measured
     * time at the rates an idle 2-core machine reaches, with room: catalog read 463,000 events/s in
     * a quiet run and ran out of 65 M, 90 M last 20 + 120 s up to ~640,000/s; wide ~34,000/s: 8 M;
     * tiny and catalog_1k, which read 0.7-1 M/s, are measured for 5 + 30 s only: 30 M and 40 M.
     * {@code N} sets every shape, {@code shape:N,...} the ones named.
     */
    private static Map<WorkloadShape, Integer> backlogs(String list) {
        Map<WorkloadShape, Integer> map = new java.util.EnumMap<>(WorkloadShape.class);
        map.put(WorkloadShape.TINY, 30_000_000);
        map.put(WorkloadShape.CATALOG_1K, 40_000_000);
        map.put(WorkloadShape.CATALOG, 90_000_000);
        map.put(WorkloadShape.WIDE, 8_000_000);
        if (list == null || list.isBlank()) {
            return map;
        }
        if (!list.contains(":")) {
            int n = Integer.parseInt(list.replace("_", ""));
            map.replaceAll((shape, old) -> n);
            return map;
        }
        for (String pair : list.split(",")) {
            String[] kv = pair.split(":");
            map.put(WorkloadShape.parse(kv[0]), Integer.parseInt(kv[1].trim().replace("_", "")));
        }
        return map;
    }

    /** {@code a=1,b=2} as a map; null or empty is none. */
    private static Map<String, String> pairs(String list) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        if (list != null && !list.isBlank()) {
            for (String pair : list.split(",")) {
                int eq = pair.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("expected key=value, got '" + pair + "'");
                }
                map.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return map;
    }

    private static int integer(Map<String, String> values, String name, int defaultValue) {
        String value = values.remove(name);
        return value == null || value.isBlank()
                ? defaultValue
                : Integer.parseInt(value.replace("_", ""));
    }
}
