package com.streampulse.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter that keeps the metrics the benchmark reads, in this JVM: the MiniCluster
 * runs here, so the benchmark reads Flink's own counters directly instead of through the REST API's
 * cached, 10 s old copies. Registered for the bench cluster as {@code metrics.reporter.bench}.
 */
public final class InProcessMetrics implements MetricReporter, MetricReporterFactory {

    /** A metric with the job, task and operator it belongs to. */
    record Registered(
            String job, String task, String subtask, String operator, String name, Metric metric) {}

    private static final List<Registered> METRICS = new CopyOnWriteArrayList<>();

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return this;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (!name.equals("numRecordsIn")
                && !name.equals("backPressuredTimeMsPerSecond")
                && !name.equals("busyTimeMsPerSecond")
                && !name.endsWith(BLOCK_CACHE_USAGE)) {
            return;
        }
        Map<String, String> v = group.getAllVariables();
        METRICS.add(
                new Registered(
                        v.get("<job_name>"),
                        v.get("<task_name>"),
                        v.get("<subtask_index>"),
                        v.get("<operator_name>"),
                        name,
                        metric));
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        METRICS.removeIf(r -> r.metric() == metric);
    }

    /**
     * RocksDB's native property gauge of the block cache's usage, registered per column family when
     * {@code state.backend.rocksdb.metrics.block-cache-usage} is on.
     */
    static final String BLOCK_CACHE_USAGE = "block-cache-usage";

    /**
     * RocksDB's native memory in {@code job}, in bytes: with managed memory, a slot's RocksDB
     * instances share one block cache, which also holds their memtables and index and filter
     * blocks, and every column family reports that cache's usage. So: the largest report per
     * subtask index (one slot each here), summed over them.
     */
    static long rocksDbBlockCacheBytes(String job) {
        Map<String, Long> perSlot = new HashMap<>();
        for (Registered r : METRICS) {
            if (job.equals(r.job())
                    && r.name().endsWith(BLOCK_CACHE_USAGE)
                    && r.metric() instanceof Gauge<?> g
                    && g.getValue() instanceof Number n) {
                perSlot.merge(r.subtask(), n.longValue(), Math::max);
            }
        }
        return perSlot.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Records the Kafka source operators of {@code job} have read so far, all subtasks. */
    static long recordsRead(String job) {
        long sum = 0;
        for (Registered r : METRICS) {
            if (job.equals(r.job())
                    && r.name().equals("numRecordsIn")
                    && r.operator() != null
                    // "Source: Kafka: <topic>": the operator the job names "Kafka: <topic>".
                    && r.operator().contains("Kafka: ")
                    && r.metric() instanceof Counter c) {
                sum += c.getCount();
            }
        }
        return sum;
    }

    /** Every counter called numRecordsIn of {@code job}, for a figure that reads zero. */
    static String describeInputs(String job) {
        StringBuilder sb = new StringBuilder();
        for (Registered r : METRICS) {
            if (job.equals(r.job()) && r.name().equals("numRecordsIn")) {
                sb.append(r.task()).append(" / ").append(r.operator()).append("; ");
            }
        }
        return sb.toString();
    }

    /** A task-level gauge (ms per second) of every task of {@code job}, summed over subtasks. */
    static Map<String, Double> perTask(String job, String name) {
        Map<String, Double> values = new HashMap<>();
        for (Registered r : METRICS) {
            if (job.equals(r.job())
                    && r.name().equals(name)
                    && r.operator() == null
                    && r.metric() instanceof Gauge<?> g
                    && g.getValue() instanceof Number n) {
                values.merge(r.task(), n.doubleValue(), Double::sum);
            }
        }
        return values;
    }

    /**
     * A task-level gauge (ms per second) of every subtask of {@code job}, keyed {@code task #n}:
     * one busy subtask among idle ones is a skew or a serial section that a per-task sum hides.
     */
    static Map<String, Double> perSubtask(String job, String name) {
        Map<String, Double> values = new HashMap<>();
        for (Registered r : METRICS) {
            if (job.equals(r.job())
                    && r.name().equals(name)
                    && r.operator() == null
                    && r.metric() instanceof Gauge<?> g
                    && g.getValue() instanceof Number n) {
                values.merge(r.task() + " #" + r.subtask(), n.doubleValue(), Double::sum);
            }
        }
        return values;
    }
}
