package com.streampulse.bench;

import com.streampulse.generator.WorkloadShape;
import com.streampulse.job.config.JobConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobID;
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

    /** One sustained run. */
    record Result(
            WorkloadShape shape,
            int parallelism,
            double eventTimeRate,
            long loaded,
            double steadySeconds,
            long readInSteadyState,
            long backlogAtStart,
            long backlogAtEnd,
            List<BenchCluster.CheckpointStat> checkpoints,
            long checkpointsInSteadyState,
            Map<String, Double> backPressuredMsPerSecond,
            Map<String, Double> busyMsPerSecond,
            long contentRows,
            ProcessMeter.Usage usage,
            String loadBefore,
            String loadAfter) {

        double eventsPerSecond() {
            return readInSteadyState / steadySeconds;
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
     * {@code tiny} reads its whole backlog in seconds (it is the decode ceiling), so it warms up
     * for at most this long; the JIT is warm from the shapes measured before it.
     */
    private static final Duration TINY_WARMUP = Duration.ofSeconds(5);

    private final Infrastructure infra;
    private final BenchCluster cluster;
    private final BenchOptions options;
    private final Map<WorkloadShape, EventLoader.Loaded> backlogs =
            new java.util.EnumMap<>(WorkloadShape.class);

    SustainedBench(Infrastructure infra, BenchCluster cluster, BenchOptions options) {
        this.infra = infra;
        this.cluster = cluster;
        this.options = options;
    }

    /** Event time advances at the shape's rate: wide is 1 M new ids a minute by definition. */
    double eventTimeRate(WorkloadShape shape) {
        return shape == WorkloadShape.WIDE ? 1_000_000 / 60.0 : options.eventRate();
    }

    Result measure(WorkloadShape shape, int parallelism, EventLoader loader, Path checkpoints)
            throws Exception {
        // One backlog per shape: later runs read it again with a consumer group of their own.
        String topic = "sustained-" + shape.label();
        double rate = eventTimeRate(shape);
        EventLoader.Loaded loaded = backlogs.get(shape);
        if (loaded == null) {
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
                Scenarios.checkpointed(infra, topic, options, CHECKPOINT_INTERVAL, checkpoints);
        StreamExecutionEnvironment env = Scenarios.environment(parallelism);
        Scenarios.production(env, config, options);
        String jobName = "sustained-" + shape.label() + "-p" + parallelism;
        System.gc();
        JobID job = cluster.submit(env, jobName);
        try {
            Duration warmup = Duration.ofSeconds(options.warmupSeconds());
            sleep(
                    shape == WorkloadShape.TINY && warmup.compareTo(TINY_WARMUP) > 0
                            ? TINY_WARMUP
                            : warmup);
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
            Instant end = Instant.now().plusSeconds(options.steadySeconds());
            while (Instant.now().isBefore(end) && loaded.records() - read > 0) {
                sleep(SAMPLE);
                read = InProcessMetrics.recordsRead(jobName);
                InProcessMetrics.perTask(jobName, "backPressuredTimeMsPerSecond")
                        .forEach((k, v) -> backPressured.merge(k, v, Double::sum));
                InProcessMetrics.perTask(jobName, "busyTimeMsPerSecond")
                        .forEach((k, v) -> busy.merge(k, v, Double::sum));
                samples++;
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            if (read == readBefore) {
                System.out.println(
                        "  no records counted; inputs: "
                                + InProcessMetrics.describeInputs(jobName));
            }
            ProcessMeter.Usage usage = meter.stop();
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
                    parallelism,
                    rate,
                    loaded.records(),
                    seconds,
                    read - readBefore,
                    loaded.records() - readBefore,
                    loaded.records() - read,
                    stats,
                    checkpointsAfter - checkpointsBefore,
                    backPressured,
                    busy,
                    infra.rowCounts().get("content_stats"),
                    usage,
                    loadBefore,
                    Load.describe());
        } finally {
            cluster.cancel(job);
        }
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis()); // measuring over wall time, not synchronisation
    }
}
