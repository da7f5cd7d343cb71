package com.streampulse.bench;

import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Events at a fixed rate, stamped with the wall clock, into the running job; PostgreSQL is polled
 * for the moment each window's row first appears. Latency = that moment - (window end +
 * out-of-orderness), the earliest the job may close the window.
 */
final class LatencyBench {

    /** Result of the latency phase. */
    record Result(
            List<Double> latenciesMillis,
            long sent,
            double seconds,
            long senderMaxBehindMillis,
            double cpuCores,
            int windows) {}

    private static final long POLL_MILLIS = 50;

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

    Result measure(String topic, EventLoader loader, java.nio.file.Path checkpoints)
            throws Exception {
        infra.truncate();
        JobConfig config =
                infra.config(topic, Map.of("CHECKPOINT_DIR", checkpoints.toUri().toString()));
        StreamExecutionEnvironment env = Scenarios.environment(options.parallelism());
        StreamPulseJob.configure(env, config);
        StreamPulseJob.production(config).build(env);
        JobID job = cluster.submit(env, "latency");

        Map<String, Instant> firstSeen = new HashMap<>();
        PacedSender sender = new PacedSender(loader, topic, options.seed(), options.latencyRate());
        ProcessMeter meter = ProcessMeter.start();
        Instant stopAt = sender.start().plusSeconds(options.latencySeconds());
        try (Connection c = infra.db().dataSource().getConnection();
                Statement st = c.createStatement()) {
            while (Instant.now().isBefore(stopAt)) {
                poll(st, firstSeen);
                Thread.sleep(POLL_MILLIS);
            }
            sender.stop();
            ProcessMeter.Usage usage = meter.stop();
            cluster.cancel(job);

            long ooo = config.outOfOrderness().toMillis();
            Instant firstCounted = sender.start().plus(STARTUP);
            List<Double> latencies = new ArrayList<>();
            java.util.Set<Long> windows = new java.util.HashSet<>();
            for (Map.Entry<String, Instant> e : firstSeen.entrySet()) {
                long windowEnd = Long.parseLong(e.getKey().substring(0, e.getKey().indexOf('|')));
                Instant due = Instant.ofEpochMilli(windowEnd + ooo);
                // Only windows closed by traffic: the last one would close by the idle clock.
                if (due.isAfter(firstCounted) && due.plusSeconds(2).isBefore(stopAt)) {
                    latencies.add((double) Duration.between(due, e.getValue()).toMillis());
                    windows.add(windowEnd);
                }
            }
            double seconds = options.latencySeconds();
            return new Result(
                    latencies,
                    sender.sent(),
                    seconds,
                    sender.maxBehindMillis(),
                    usage.cpuSeconds() / seconds,
                    windows.size());
        }
    }

    /** Records when each (window, table, key) row is first visible. */
    private static void poll(Statement st, Map<String, Instant> firstSeen) throws SQLException {
        try (ResultSet rs =
                st.executeQuery(
                        "SELECT (extract(epoch FROM window_end) * 1000)::bigint || '|r|' || region"
                            + " FROM region_health UNION ALL SELECT (extract(epoch FROM window_end)"
                            + " * 1000)::bigint || '|d|' || device || os_version FROM device_stats"
                            + " UNION ALL SELECT (extract(epoch FROM window_end) * 1000)::bigint ||"
                            + " '|c|' || content_id FROM content_stats")) {
            Instant now = Instant.now();
            while (rs.next()) {
                firstSeen.putIfAbsent(rs.getString(1), now);
            }
        }
    }
}
