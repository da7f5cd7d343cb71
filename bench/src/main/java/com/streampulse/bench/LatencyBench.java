package com.streampulse.bench;

import com.streampulse.generator.WorkloadShape;
import com.streampulse.job.config.JobConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Events of a shape at a fixed rate, stamped with the wall clock, into the running production job
 * (checkpoints every 30 s, sinks flushing every second or 5,000 rows), with windows of {@code
 * window} instead of a minute so that a run covers many firings; the code path is the production
 * one. A row's latency is its {@code created_at} (PostgreSQL's {@code now()} when the upsert that
 * inserted it started; it is visible at that statement's commit, milliseconds later) minus (i) the
 * window end + out-of-orderness, the earliest the job may close the window, and (ii) the window
 * end, when the window's newest event was created (its oldest waited one window longer).
 */
final class LatencyBench {

    /** Result of one latency run. */
    record Result(
            WorkloadShape shape,
            double rate,
            Duration window,
            List<Double> afterWindowClose,
            List<Double> afterNewestEvent,
            int windows,
            long sent,
            double seconds,
            long senderMaxBehindMillis,
            double cpuCores,
            String load) {}

    /** Windows ending this soon after the start are skipped: the job is still starting. */
    private static final Duration STARTUP = Duration.ofSeconds(20);

    private final Infrastructure infra;
    private final BenchCluster cluster;
    private final BenchOptions options;

    LatencyBench(Infrastructure infra, BenchCluster cluster, BenchOptions options) {
        this.infra = infra;
        this.cluster = cluster;
        this.options = options;
    }

    Result measure(
            WorkloadShape shape,
            double rate,
            Duration window,
            String topic,
            EventLoader loader,
            java.nio.file.Path checkpoints)
            throws Exception {
        infra.kafka().createTopic(topic, options.partitions());
        infra.truncate();
        JobConfig config =
                infra.config(
                        topic,
                        Scenarios.jobEnv(
                                options,
                                Map.of(
                                        "CHECKPOINT_DIR",
                                        checkpoints.toUri().toString(),
                                        "WINDOW_SIZE",
                                        window.toMillis() + "ms")));
        StreamExecutionEnvironment env = Scenarios.environment(options.parallelism());
        Scenarios.production(env, config, options);
        JobID job = cluster.submit(env, topic);

        PacedSender sender = new PacedSender(loader, topic, shape, options.seed(), rate);
        ProcessMeter meter = ProcessMeter.start();
        Instant stopAt = sender.start().plusSeconds(options.latencySeconds());
        Thread.sleep(Duration.between(Instant.now(), stopAt).toMillis()); // the measured run
        sender.stop();
        ProcessMeter.Usage usage = meter.stop();
        String load = Load.describe();
        // The last windows close 2 s + out-of-orderness after the sender stopped.
        Thread.sleep(config.outOfOrderness().plusSeconds(5).toMillis());
        cluster.cancel(job);

        long ooo = config.outOfOrderness().toMillis();
        long firstCounted = sender.start().plus(STARTUP).toEpochMilli();
        long lastCounted = stopAt.toEpochMilli() - ooo - 2_000;
        List<Double> afterClose = new ArrayList<>();
        List<Double> afterNewest = new ArrayList<>();
        java.util.Set<Long> windows = new java.util.HashSet<>();
        try (Connection c = infra.db().dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT (extract(epoch FROM window_end) * 1000)::bigint,"
                                        + " (extract(epoch FROM created_at) * 1000)::bigint FROM"
                                        + " region_health UNION ALL SELECT (extract(epoch FROM"
                                        + " window_end) * 1000)::bigint, (extract(epoch FROM"
                                        + " created_at) * 1000)::bigint FROM device_stats UNION ALL"
                                        + " SELECT (extract(epoch FROM window_end) * 1000)::bigint,"
                                        + " (extract(epoch FROM created_at) * 1000)::bigint FROM"
                                        + " content_stats")) {
            while (rs.next()) {
                long windowEnd = rs.getLong(1);
                long created = rs.getLong(2);
                // Only windows closed by traffic: the last one would close by the idle clock.
                if (windowEnd + ooo >= firstCounted && windowEnd + ooo <= lastCounted) {
                    afterClose.add((double) (created - windowEnd - ooo));
                    afterNewest.add((double) (created - windowEnd));
                    windows.add(windowEnd);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the rows' times", e);
        }
        double seconds = options.latencySeconds();
        return new Result(
                shape,
                rate,
                window,
                afterClose,
                afterNewest,
                windows.size(),
                sender.sent(),
                seconds,
                sender.maxBehindMillis(),
                usage.cpuSeconds() / seconds,
                load);
    }
}
