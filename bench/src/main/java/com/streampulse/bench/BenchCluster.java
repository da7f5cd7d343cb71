package com.streampulse.bench;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * One MiniCluster for the whole benchmark (one TaskManager, a slot per core), so every job runs in
 * the same JVM the meter watches and its checkpoint statistics can be read back.
 */
public final class BenchCluster implements AutoCloseable {

    /** What a finished or cancelled job took: wall time as Flink measured it, and checkpoints. */
    public record Finished(long netRuntimeMillis, List<CheckpointStat> checkpoints) {}

    /** One completed checkpoint: full state size, bytes it wrote (incremental), duration. */
    public record CheckpointStat(
            long id,
            long stateSizeBytes,
            long writtenBytes,
            long millis,
            java.util.Map<String, Long> stateByTask) {}

    private final MiniCluster cluster;

    public BenchCluster(int slots) throws Exception {
        Configuration conf = new Configuration();
        // RocksDB gets the slots' managed memory, as on a real TaskManager.
        // Any free port for the web UI: 8081 may be taken by a `make run` on the same machine.
        conf.set(org.apache.flink.configuration.RestOptions.BIND_PORT, "0");
        // Flink's own counters, read in this JVM (see InProcessMetrics).
        conf.setString("metrics.reporter.bench.factory.class", InProcessMetrics.class.getName());
        conf.set(
                TaskManagerOptions.MANAGED_MEMORY_SIZE,
                org.apache.flink.configuration.MemorySize.parse("512m"));
        // Statistics for every checkpoint of a run, not Flink's default last 10: the longest one
        // (the one that met a minute's firing) is often early in a run.
        conf.set(org.apache.flink.configuration.WebOptions.CHECKPOINTS_HISTORY_SIZE, 100_000);
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        cluster.start();
    }

    public JobID submit(StreamExecutionEnvironment env, String name) throws Exception {
        StreamGraph streamGraph = env.getStreamGraph();
        streamGraph.setJobName(name);
        JobGraph graph = streamGraph.getJobGraph();
        return cluster.submitJob(graph).get().getJobID();
    }

    /** Waits for a bounded job to finish; throws what it failed with. */
    public Finished await(JobID id) throws Exception {
        JobResult result = cluster.requestJobResult(id).get();
        if (result.getSerializedThrowable().isPresent()) {
            throw new IllegalStateException(
                    "Job failed",
                    result.getSerializedThrowable()
                            .get()
                            .deserializeError(getClass().getClassLoader()));
        }
        return new Finished(result.getNetRuntime(), checkpoints(id));
    }

    public Finished run(StreamExecutionEnvironment env, String name) throws Exception {
        return await(submit(env, name));
    }

    public void cancel(JobID id) throws Exception {
        cluster.cancelJob(id).get();
        cluster.requestJobResult(id).get();
    }

    /** Every completed checkpoint of the job (the history is sized to keep them all). */
    public List<CheckpointStat> checkpoints(JobID id) throws Exception {
        AccessExecutionGraph graph = cluster.getExecutionGraph(id).get();
        CheckpointStatsSnapshot snapshot = graph.getCheckpointStatsSnapshot();
        List<CheckpointStat> stats = new ArrayList<>();
        if (snapshot == null) {
            return stats;
        }
        for (AbstractCheckpointStats c : snapshot.getHistory().getCheckpoints()) {
            if (c.getStatus() == CheckpointStatsStatus.COMPLETED) {
                stats.add(
                        new CheckpointStat(
                                c.getCheckpointId(),
                                c.getStateSize(),
                                c.getCheckpointedSize(),
                                c.getEndToEndDuration(),
                                stateByTask(graph, c)));
            }
        }
        stats.sort((a, b) -> Long.compare(a.id(), b.id()));
        return stats;
    }

    /** Full state size per task (operator chain) with more than 1 MiB, largest first. */
    private static java.util.Map<String, Long> stateByTask(
            AccessExecutionGraph graph, AbstractCheckpointStats c) {
        java.util.Map<String, Long> sizes = new java.util.LinkedHashMap<>();
        c.getAllTaskStateStats().stream()
                .filter(t -> t.getStateSize() > (1 << 20))
                .sorted((a, b) -> Long.compare(b.getStateSize(), a.getStateSize()))
                .forEach(
                        t ->
                                sizes.put(
                                        graph.getJobVertex(t.getJobVertexId()).getName(),
                                        t.getStateSize()));
        return sizes;
    }

    /** Completed checkpoints so far, as counted by Flink (not limited to the history). */
    public long completedCheckpoints(JobID id) throws Exception {
        CheckpointStatsSnapshot snapshot =
                cluster.getExecutionGraph(id).get().getCheckpointStatsSnapshot();
        return snapshot == null ? 0 : snapshot.getCounts().getNumberOfCompletedCheckpoints();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
