package com.streampulse.bench;

import com.streampulse.generator.WorkloadShape;
import com.streampulse.job.config.JobConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The job against the pure Flink SQL peer ({@link PureSqlPeer}) on the same clean {@code catalog}
 * events (the peer's {@code avro} format cannot skip a malformed record), bounded, and their three
 * stats tables compared row by row: counts exactly, sizes and averages to 4 decimals.
 */
final class PeerBench {

    /** Events/s of both and how their rows compare. */
    record Result(
            long events,
            double jobPerSecond,
            double sqlPerSecond,
            int jobRows,
            int sqlRows,
            int onlyInJob,
            int onlyInSql,
            String load) {}

    static final Instant START = Instant.parse("2026-01-04T00:00:00Z");

    private final Infrastructure infra;
    private final BenchCluster cluster;
    private final BenchOptions options;

    PeerBench(Infrastructure infra, BenchCluster cluster, BenchOptions options) {
        this.infra = infra;
        this.cluster = cluster;
        this.options = options;
    }

    Result measure(EventLoader loader, java.nio.file.Path checkpoints) throws Exception {
        String topic = "peer-catalog";
        infra.kafka().createTopic(topic, options.partitions());
        long events = options.events();
        loader.shapedClean(
                topic, WorkloadShape.CATALOG, events, options.seed(), START, options.eventRate());
        Map<String, String> env =
                Map.of(
                        "CHECKPOINT_INTERVAL",
                        "30s",
                        "CHECKPOINT_DIR",
                        checkpoints.toUri().toString());
        infra.truncate();
        JobConfig config = infra.config(topic, env);
        BenchCluster.Finished job =
                cluster.run(Scenarios.fullJob(config, options.parallelism()), "peer-job");
        Set<String> jobRows = rows();
        infra.truncate();
        JobConfig sqlConfig = infra.config(topic, env);
        BenchCluster.Finished sql =
                cluster.run(PureSqlPeer.build(sqlConfig, options.parallelism()), "peer-sql");
        Set<String> sqlRows = rows();
        Set<String> onlyJob = new HashSet<>(jobRows);
        onlyJob.removeAll(sqlRows);
        Set<String> onlySql = new HashSet<>(sqlRows);
        onlySql.removeAll(jobRows);
        if (!onlyJob.isEmpty()) {
            System.out.println("  e.g. only in the job: " + onlyJob.iterator().next());
        }
        if (!onlySql.isEmpty()) {
            System.out.println("  e.g. only in SQL:     " + onlySql.iterator().next());
        }
        return new Result(
                events,
                events * 1000.0 / job.netRuntimeMillis(),
                events * 1000.0 / sql.netRuntimeMillis(),
                jobRows.size(),
                sqlRows.size(),
                onlyJob.size(),
                onlySql.size(),
                Load.describe());
    }

    private Set<String> rows() throws SQLException {
        Set<String> rows = new HashSet<>();
        try (Connection c = infra.db().dataSource().getConnection();
                Statement st = c.createStatement()) {
            collect(
                    st,
                    "SELECT 'c|' || content_id || '|' || window_start || '|' || window_end || '|'"
                            + " || title || '|' || download_count || '|' || successful_downloads"
                            + " || '|' || failed_downloads || '|' || round(total_size_gb::numeric,"
                            + " 4) FROM content_stats",
                    rows);
            collect(
                    st,
                    "SELECT 'r|' || region || '|' || window_start || '|' || total_downloads || '|'"
                            + " || successful_downloads || '|' || failed_downloads || '|' ||"
                            + " round(success_rate::numeric, 4) || '|' ||"
                            + " round(avg_speed_mbps::numeric, 4) || '|' ||"
                            + " round(avg_duration_seconds::numeric, 4) FROM region_health",
                    rows);
            collect(
                    st,
                    "SELECT 'd|' || device || '|' || os_version || '|' || window_start || '|' ||"
                        + " total_downloads || '|' || successful_downloads || '|' ||"
                        + " failed_downloads || '|' || round(avg_speed_mbps::numeric, 4) || '|' ||"
                        + " round(avg_duration_seconds::numeric, 4) FROM device_stats",
                    rows);
        }
        return rows;
    }

    private static void collect(Statement st, String sql, Set<String> rows) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
    }
}
