package com.streampulse.bench;

import com.streampulse.job.config.JobConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code scaleKeys} distinct content ids in every minute of event time, read as a backlog by the
 * running job with checkpoints every few seconds; then one marker per partition far enough ahead
 * that every window's allowed lateness has passed, so the last checkpoints show the state left once
 * lateness has expired.
 */
final class ScaleBench {

    /** Result of the scale phase. */
    record Result(
            long events,
            double seconds,
            ProcessMeter.Usage usage,
            List<BenchCluster.CheckpointStat> checkpoints,
            BenchCluster.CheckpointStat afterExpiry,
            long contentRows,
            long directorySizeBytes) {}

    static final Instant START = Instant.parse("2026-01-02T00:00:00Z");
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(5);
    private static final Duration DEADLINE = Duration.ofMinutes(15);

    private final Infrastructure infra;
    private final BenchCluster cluster;
    private final BenchOptions options;

    ScaleBench(Infrastructure infra, BenchCluster cluster, BenchOptions options) {
        this.infra = infra;
        this.cluster = cluster;
        this.options = options;
    }

    Result measure(String topic, EventLoader loader, Path checkpoints) throws Exception {
        infra.truncate();
        // Checkpoints are retained on cancel: without this, earlier runs' would be counted too.
        deleteRecursively(checkpoints);
        EventLoader.Loaded loaded =
                loader.distinctContent(
                        topic, options.scaleKeys(), options.scaleMinutes(), options.seed(), START);
        JobConfig config =
                Scenarios.checkpointed(infra, topic, options, CHECKPOINT_INTERVAL, checkpoints);
        // Past every window's end + allowed lateness + out-of-orderness.
        Instant marker =
                START.plus(Duration.ofMinutes(options.scaleMinutes()))
                        .plus(config.allowedLateness())
                        .plus(config.outOfOrderness())
                        .plus(Duration.ofMinutes(1));
        loader.marker(topic, options.seed(), marker);
        System.out.printf(
                "  loaded %,d events (%,d content ids per minute, %d minutes) in %.1f s%n",
                loaded.records(), options.scaleKeys(), options.scaleMinutes(), loaded.seconds());

        StreamExecutionEnvironment env = Scenarios.environment(options.parallelism());
        Scenarios.production(env, config, options);
        System.gc();
        ProcessMeter meter = ProcessMeter.start();
        long began = System.nanoTime();
        JobID job = cluster.submit(env, "scale");
        long expected = (long) options.scaleKeys() * options.scaleMinutes();
        long rows = awaitContentRows(expected);
        double seconds = (System.nanoTime() - began) / 1e9;
        // Two more completed checkpoints: the later one holds only what lateness left behind.
        long done = cluster.completedCheckpoints(job);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (cluster.completedCheckpoints(job) < done + 2 && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
        }
        ProcessMeter.Usage usage = meter.stop();
        List<BenchCluster.CheckpointStat> stats = cluster.checkpoints(job);
        cluster.cancel(job);
        BenchCluster.CheckpointStat last = stats.isEmpty() ? null : stats.get(stats.size() - 1);
        return new Result(
                loaded.records(), seconds, usage, stats, last, rows, directorySize(checkpoints));
    }

    private long awaitContentRows(long expected) throws Exception {
        Instant deadline = Instant.now().plus(DEADLINE);
        long rows = 0;
        try (Connection c = infra.db().dataSource().getConnection();
                Statement st = c.createStatement()) {
            while (Instant.now().isBefore(deadline)) {
                try (ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*) FROM content_stats WHERE content_id LIKE"
                                        + " 'content-%'")) {
                    rs.next();
                    rows = rs.getLong(1);
                }
                if (rows >= expected) {
                    return rows;
                }
                Thread.sleep(500);
            }
        }
        throw new IllegalStateException(
                "scale: only " + rows + " of " + expected + " content rows after " + DEADLINE);
    }

    static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (var files = java.nio.file.Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    static long directorySize(Path dir) throws java.io.IOException {
        if (!java.nio.file.Files.exists(dir)) {
            return 0;
        }
        try (var files = java.nio.file.Files.walk(dir)) {
            return files.filter(java.nio.file.Files::isRegularFile)
                    .mapToLong(
                            p -> {
                                try {
                                    return java.nio.file.Files.size(p);
                                } catch (java.io.IOException e) {
                                    return 0;
                                }
                            })
                    .sum();
        }
    }
}
