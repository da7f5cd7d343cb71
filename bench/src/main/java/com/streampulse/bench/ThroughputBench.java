package com.streampulse.bench;

import com.streampulse.job.config.JobConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * (a), (b) and (c) on the same topic: one warm-up run each, then {@code runs} rounds of all three,
 * interleaved so that a slow spell on a shared machine hits every scenario alike.
 */
final class ThroughputBench {

    /** One pipeline under test. */
    record Scenario(
            String key,
            String label,
            boolean writesDb,
            BiFunction<JobConfig, Integer, StreamExecutionEnvironment> build,
            Map<String, String> env) {

        Scenario(
                String key,
                String label,
                boolean writesDb,
                BiFunction<JobConfig, Integer, StreamExecutionEnvironment> build) {
            this(key, label, writesDb, build, Map.of());
        }
    }

    /** One measured run. */
    record Run(double eventsPerSecond, double seconds, ProcessMeter.Usage usage, long rows) {}

    static final List<Scenario> SCENARIOS =
            List.of(
                    new Scenario("a", "(a) read + decode only", false, Scenarios::readOnly),
                    new Scenario(
                            "b", "(b) StreamPulse job -> PostgreSQL", true, Scenarios::fullJob),
                    // Issue 16's cost: the same job without trending, anomalies and sessions.
                    new Scenario(
                            "b0",
                            "(b0) job without trending/anomaly/sessions",
                            true,
                            Scenarios::fullJob,
                            Map.of(
                                    "TRENDING_ENABLED", "false",
                                    "ANOMALY_ENABLED", "false",
                                    "SESSIONS_ENABLED", "false")),
                    new Scenario("c", "(c) Flink SQL -> PostgreSQL", true, Scenarios::sql));

    private final Infrastructure infra;
    private final BenchCluster cluster;
    private final BenchOptions options;
    private final String topic;
    private final Path checkpoints;

    ThroughputBench(
            Infrastructure infra,
            BenchCluster cluster,
            BenchOptions options,
            String topic,
            Path checkpoints) {
        this.infra = infra;
        this.cluster = cluster;
        this.options = options;
        this.topic = topic;
        this.checkpoints = checkpoints;
    }

    Map<String, List<Run>> measure() throws Exception {
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        for (Scenario s : SCENARIOS) {
            Run warm = run(s, "warm-up");
            System.out.printf(
                    "  warm-up %-36s %,10.0f events/s%n", s.label(), warm.eventsPerSecond());
            runs.put(s.key(), new ArrayList<>());
        }
        for (int round = 1; round <= options.runs(); round++) {
            for (Scenario s : SCENARIOS) {
                Run r = run(s, "run " + round);
                runs.get(s.key()).add(r);
                System.out.printf(
                        "  run %d   %-36s %,10.0f events/s  %5.1f s  cpu %5.1f s  rows %d%n",
                        round,
                        s.label(),
                        r.eventsPerSecond(),
                        r.seconds(),
                        r.usage().cpuSeconds(),
                        r.rows());
            }
        }
        return runs;
    }

    private Run run(Scenario s, String what) throws Exception {
        if (s.writesDb()) {
            infra.truncate();
        }
        Map<String, String> settings = new java.util.HashMap<>(s.env());
        settings.put("CHECKPOINT_INTERVAL", options.checkpointInterval() + "s");
        settings.put("CHECKPOINT_DIR", checkpoints.resolve(s.key()).toUri().toString());
        JobConfig config = infra.config(topic, settings);
        StreamExecutionEnvironment env = s.build().apply(config, options.parallelism());
        System.gc();
        ProcessMeter meter = ProcessMeter.start();
        BenchCluster.Finished finished = cluster.run(env, s.label() + " " + what);
        ProcessMeter.Usage usage = meter.stop();
        long rows = 0;
        if (s.writesDb()) {
            rows = infra.rowCounts().values().stream().mapToLong(Long::longValue).sum();
            checkCounted(s);
        }
        double seconds = finished.netRuntimeMillis() / 1000.0;
        return new Run(options.events() / seconds, seconds, usage, rows);
    }

    /** Exact results or no figure: every loaded event must be counted once in region_health. */
    private void checkCounted(Scenario s) {
        try (Connection c = infra.db().dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT coalesce(sum(total_downloads), 0) FROM region_health")) {
            rs.next();
            long counted = rs.getLong(1);
            if (counted != options.events()) {
                throw new IllegalStateException(
                        s.label() + " counted " + counted + " events, loaded " + options.events());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not check the counts", e);
        }
    }
}
