package com.streampulse.bench;

import com.streampulse.generator.WorkloadShape;
import com.streampulse.job.config.JobConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The sustained rate: the unbounded production job (Kafka source, RocksDB, incremental checkpoints
 * every 30 s, PostgreSQL sinks) reading a backlog far larger than it can read in the measured time,
 * so it is always fed faster than it reads. After a warm-up, the records its Kafka source read
 * (Flink's {@code numRecordsIn} counters) over the steady-state window give the rate. Backpressure
 * slows the source whenever the windows, checkpoints or sinks fall behind, so in steady state what
 * it reads is what it processes: a live feed at this rate would not grow the backlog.
 */
final class SustainedBench {

    /**
     * Which of the job's optional features (issue 16) a run has on: the job's defaults (anomaly
     * alerts on, trending and sessions off), all three off, all but sessions, or all three on.
     *
     * @param jobName what the run's job name ends with
     */
    record Features(String label, String jobName, Map<String, String> env) {

        static final Features DEFAULTS = new Features("defaults", "", Map.of());
        static final Features NONE =
                new Features(
                        "trending, anomaly alerts and sessions off",
                        "-no-features",
                        switched(false));

        /** All but sessions, which cost the most at {@code catalog}: what the other two cost. */
        static final Features NO_SESSIONS =
                new Features(
                        "trending and anomaly alerts on, sessions off",
                        "-no-sessions",
                        Map.of(
                                "TRENDING_ENABLED", "true",
                                "ANOMALY_ENABLED", "true",
                                "SESSIONS_ENABLED", "false"));

        static final Features ALL =
                new Features(
                        "trending, anomaly alerts and sessions on",
                        "-all-features",
                        switched(true));

        private static Map<String, String> switched(boolean on) {
            String value = Boolean.toString(on);
            return Map.of(
                    "TRENDING_ENABLED", value,
                    "ANOMALY_ENABLED", value,
                    "SESSIONS_ENABLED", value);
        }
    }

    /** One sustained run. */
    record Result(
            WorkloadShape shape,
            Features features,
            int parallelism,
            double eventTimeRate,
            long loaded,
            double steadySeconds,
            double plannedSeconds,
            long readInSteadyState,
            long backlogAtStart,
            long backlogAtEnd,
            List<BenchCluster.CheckpointStat> checkpoints,
            long checkpointsInSteadyState,
            Map<String, Double> backPressuredMsPerSecond,
            Map<String, Double> busyMsPerSecond,
            long rocksDbCacheBytes,
            long contentRows,
            ProcessMeter.Usage usage,
            long liveHeapAtEndBytes,
            String loadBefore,
            String loadAfter) {

        double eventsPerSecond() {
            return readInSteadyState / steadySeconds;
        }

        /** This process's CPU (broker and MiniCluster; not PostgreSQL's) per event read. */
        double cpuMicrosPerEvent() {
            return usage.cpuSeconds() * 1e6 / Math.max(1, readInSteadyState);
        }

        /** Whether the job read its whole backlog before the measured time was over. */
        boolean ranOut() {
            return backlogAtEnd <= 0;
        }

        /** What a report says instead of met/missed when {@link #ranOut}. */
        String ranOutNote() {
            return String.format(
                    "backlog ran out at %.0f s of %.0f: >= %,.0f events/s, not a valid sustained"
                            + " figure",
                    steadySeconds, plannedSeconds, eventsPerSecond());
        }

        long longestCheckpointMillis() {
            return checkpoints.stream()
                    .mapToLong(BenchCluster.CheckpointStat::millis)
                    .max()
                    .orElse(0);
        }
    }

    static final Instant START = Instant.parse("2026-01-03T00:00:00Z");
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(30);

    /** Short, so a backlog that runs out is noticed within a second of it. */
    private static final Duration SAMPLE = Duration.ofSeconds(1);

    /**
     * {@code tiny} and {@code catalog_1k} read 0.7-1 M events/s (their windows are nearly idle: the
     * decode ceiling), so a backlog for two minutes would take longer to load than to measure: they
     * warm up for at most {@link #FAST_WARMUP} (the JIT is warm from the shapes before them) and
     * are measured for at most {@link #FAST_STEADY}.
     */
    static final Set<WorkloadShape> FAST = Set.of(WorkloadShape.TINY, WorkloadShape.CATALOG_1K);

    private static final Duration FAST_WARMUP = Duration.ofSeconds(5);
    private static final Duration FAST_STEADY = Duration.ofSeconds(30);

    /** The read rate is printed per this much of the measured time, to show it was steady. */
    private static final int TRACE_SECONDS = 10;

    private final Infrastructure infra;
    private final BenchCluster cluster;
    private final BenchOptions options;
    private final Map<WorkloadShape, EventLoader.Loaded> backlogs;

    /**
     * {@code backlogs}: the topics loaded so far, shared between the sections so that the curves
     * read the sustained section's backlogs instead of loading (and appending to) them again.
     */
    SustainedBench(
            Infrastructure infra,
            BenchCluster cluster,
            BenchOptions options,
            Map<WorkloadShape, EventLoader.Loaded> backlogs) {
        this.infra = infra;
        this.cluster = cluster;
        this.options = options;
        this.backlogs = backlogs;
    }

    /** Event time advances at the shape's rate: wide is 1 M new ids a minute by definition. */
    double eventTimeRate(WorkloadShape shape) {
        return shape == WorkloadShape.WIDE ? 1_000_000 / 60.0 : options.eventRate();
    }

    Result measure(WorkloadShape shape, int parallelism, EventLoader loader, Path checkpoints)
            throws Exception {
        return measure(shape, Features.DEFAULTS, parallelism, loader, checkpoints);
    }

    Result measure(
            WorkloadShape shape,
            Features features,
            int parallelism,
            EventLoader loader,
            Path checkpoints)
            throws Exception {
        // One backlog per shape: later runs read it again with a consumer group of their own.
        String topic = "sustained-" + shape.label();
        double rate = eventTimeRate(shape);
        EventLoader.Loaded loaded = backlogs.get(shape);
        if (loaded != null) {
            System.out.printf(
                    "  %s: reading the %,d events loaded before%n",
                    shape.label(), loaded.records());
        } else {
            infra.kafka().createTopic(topic, options.partitions());
            loaded =
                    loader.shaped(
                            topic, shape, options.backlog(shape), options.seed(), START, rate);
            backlogs.put(shape, loaded);
            System.out.printf(
                    "  %s (%s): loaded %,d events, %,.0f/s of event time, in %.1f s%n",
                    shape.label(), shape.keyCounts(), loaded.records(), rate, loaded.seconds());
        }
        infra.truncate();
        ScaleBench.deleteRecursively(checkpoints);
        JobConfig config =
                Scenarios.checkpointed(
                        infra, topic, options, CHECKPOINT_INTERVAL, checkpoints, features.env());
        StreamExecutionEnvironment env = Scenarios.environment(parallelism);
        // RocksDB's native memory, reported next to the heap (InProcessMetrics).
        env.configure(
                Configuration.fromMap(
                        Map.of("state.backend.rocksdb.metrics.block-cache-usage", "true")));
        Scenarios.production(env, config, options);
        String jobName = "sustained-" + shape.label() + "-p" + parallelism + features.jobName();
        System.gc();
        JobID job = cluster.submit(env, jobName);
        try {
            Duration warmup = Duration.ofSeconds(options.warmupSeconds());
            Duration steady = Duration.ofSeconds(options.steadySeconds());
            if (FAST.contains(shape)) {
                warmup = min(warmup, FAST_WARMUP);
                steady = min(steady, FAST_STEADY);
            }
            awaitFirstRecords(jobName); // the warm-up starts when the job reads, not at submit
            sleep(warmup);
            String loadBefore = Load.describe();
            ProcessMeter meter = ProcessMeter.start();
            long checkpointsBefore = cluster.completedCheckpoints(job);
            long firstId = checkpointsBefore;
            long readBefore = InProcessMetrics.recordsRead(jobName);
            long began = System.nanoTime();
            Map<String, Double> backPressured = new TreeMap<>();
            Map<String, Double> busy = new TreeMap<>();
            int samples = 0;
            long read = readBefore;
            List<long[]> trace = new ArrayList<>();
            trace.add(new long[] {began, readBefore});
            Instant end = Instant.now().plus(steady);
            while (Instant.now().isBefore(end) && loaded.records() - read > 0) {
                sleep(SAMPLE);
                read = InProcessMetrics.recordsRead(jobName);
                if (++samples % TRACE_SECONDS == 0) {
                    trace.add(new long[] {System.nanoTime(), read});
                }
                InProcessMetrics.perTask(jobName, "backPressuredTimeMsPerSecond")
                        .forEach((k, v) -> backPressured.merge(k, v, Double::sum));
                InProcessMetrics.perTask(jobName, "busyTimeMsPerSecond")
                        .forEach((k, v) -> busy.merge(k, v, Double::sum));
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            printTrace(trace);
            if (read == readBefore) {
                System.out.println(
                        "  no records counted; inputs: "
                                + InProcessMetrics.describeInputs(jobName));
            }
            ProcessMeter.Usage usage = meter.stop();
            long liveHeapAtEnd = ProcessMeter.liveHeapAfterFullCollection();
            long rocksDb = InProcessMetrics.rocksDbBlockCacheBytes(jobName);
            long checkpointsAfter = cluster.completedCheckpoints(job);
            List<BenchCluster.CheckpointStat> stats = new ArrayList<>();
            for (BenchCluster.CheckpointStat c : cluster.checkpoints(job)) {
                if (c.id() > firstId) {
                    stats.add(c);
                }
            }
            int n = Math.max(1, samples);
            backPressured.replaceAll((k, v) -> v / n / parallelism);
            busy.replaceAll((k, v) -> v / n / parallelism);
            return new Result(
                    shape,
                    features,
                    parallelism,
                    rate,
                    loaded.records(),
                    seconds,
                    steady.toSeconds(),
                    read - readBefore,
                    loaded.records() - readBefore,
                    loaded.records() - read,
                    stats,
                    checkpointsAfter - checkpointsBefore,
                    backPressured,
                    busy,
                    rocksDb,
                    infra.rowCounts().get("content_stats"),
                    usage,
                    liveHeapAtEnd,
                    loadBefore,
                    Load.describe());
        } finally {
            cluster.cancel(job);
        }
    }

    /** Events/s read in each {@link #TRACE_SECONDS} of the measured time: (nanos, read) pairs. */
    private static void printTrace(List<long[]> trace) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < trace.size(); i++) {
            long[] from = trace.get(i - 1);
            long[] to = trace.get(i);
            sb.append(String.format(" %,.0f", (to[1] - from[1]) / ((to[0] - from[0]) / 1e9)));
        }
        System.out.printf("  read per %d s (events/s):%s%n", TRACE_SECONDS, sb);
    }

    private static void awaitFirstRecords(String job) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (InProcessMetrics.recordsRead(job) == 0 && Instant.now().isBefore(deadline)) {
            sleep(Duration.ofMillis(100));
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis()); // measuring over wall time, not synchronisation
    }
}
