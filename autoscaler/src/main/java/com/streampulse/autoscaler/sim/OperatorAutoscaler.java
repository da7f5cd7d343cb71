package com.streampulse.autoscaler.sim;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.autoscaler.JobAutoScalerContext;
import org.apache.flink.autoscaler.JobVertexScaler;
import org.apache.flink.autoscaler.ScalingExecutor;
import org.apache.flink.autoscaler.ScalingMetricCollector;
import org.apache.flink.autoscaler.ScalingMetricEvaluator;
import org.apache.flink.autoscaler.config.AutoScalerOptions;
import org.apache.flink.autoscaler.event.AutoScalerEventHandler;
import org.apache.flink.autoscaler.exceptions.NotReadyException;
import org.apache.flink.autoscaler.metrics.FlinkMetric;
import org.apache.flink.autoscaler.metrics.ScalingHistoryUtils;
import org.apache.flink.autoscaler.state.AutoScalerStateStore;
import org.apache.flink.autoscaler.state.InMemoryAutoScalerStateStore;
import org.apache.flink.autoscaler.topology.IOMetrics;
import org.apache.flink.autoscaler.topology.JobTopology;
import org.apache.flink.autoscaler.topology.VertexInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import org.apache.flink.runtime.rest.messages.job.metrics.AggregatedMetric;
import org.apache.flink.runtime.rest.messages.job.metrics.Metric;

/**
 * The Flink Kubernetes Operator's own autoscaler ({@code org.apache.flink:flink-autoscaler}) as a
 * baseline: its metric collector, {@link ScalingMetricEvaluator} and {@link ScalingExecutor} (with
 * its {@link JobVertexScaler}) decide, on the model's metrics instead of the JobManager's REST API.
 *
 * <p>The adapter is as narrow as the library allows. The collector is the library's own {@link
 * ScalingMetricCollector} (history, stabilisation, metric window, the conversion to scaling metrics
 * with its observed true processing rate); only its REST queries are answered from the model: the
 * job's one vertex (the Kafka source with everything chained to it, {@code 12} partitions, max
 * parallelism 128 as the job's) and per-subtask {@code busyTimeMsPerSecond} (min/max/avg/sum over
 * the subtasks), the source's {@code numRecordsIn} and {@code numRecordsInPerSecond}, {@code
 * pendingRecords} (records not yet read) and {@code backPressuredTimeMsPerSecond} (0: the model's
 * sink never backpressures), measured since the previous call as Flink's gauges are over their
 * recent past. What {@code JobAutoScalerImpl.runScalingLogic} does between these classes is
 * repeated in {@link #decide} because that class takes its clock only through a package-private
 * setter; the simulator's time reaches the collector through its protected {@code setClock} and the
 * executor's {@code JobVertexScaler} (which times the delayed scale-down) by reflection: it is a
 * private field with no other way in. The parallelism it stores as its override is what the
 * operator would apply.
 */
final class OperatorAutoscaler implements Scaler {

    static final int RECONCILE_SECONDS = 15;
    static final int JOB_MAX_PARALLELISM = 128;
    private static final JobVertexID SOURCE = new JobVertexID(1, 1);
    private static final JobID JOB = new JobID(1, 1);

    /** The settings a user would tune, as the operator's configuration keys read them. */
    record Settings(
            Duration metricsWindow,
            Duration stabilization,
            Duration scaleDownInterval,
            double targetUtilization,
            double utilizationBoundary) {

        String label() {
            return String.format(
                    java.util.Locale.ROOT,
                    "window %d s, stabilization %d s, scale-down interval %d s, utilization %.1f ±"
                            + " %.1f",
                    metricsWindow.toSeconds(),
                    stabilization.toSeconds(),
                    scaleDownInterval.toSeconds(),
                    targetUtilization,
                    utilizationBoundary);
        }

        Configuration configuration() {
            Configuration conf = new Configuration();
            conf.set(AutoScalerOptions.AUTOSCALER_ENABLED, true);
            conf.set(AutoScalerOptions.METRICS_WINDOW, metricsWindow);
            conf.set(AutoScalerOptions.STABILIZATION_INTERVAL, stabilization);
            conf.set(AutoScalerOptions.SCALE_DOWN_INTERVAL, scaleDownInterval);
            conf.set(AutoScalerOptions.TARGET_UTILIZATION, targetUtilization);
            conf.set(AutoScalerOptions.TARGET_UTILIZATION_BOUNDARY, utilizationBoundary);
            // As ours: work a backlog off within 5 minutes, start from a 60 s restart and then
            // use the measured ones, at most 12 instances (the partitions).
            conf.set(AutoScalerOptions.CATCH_UP_DURATION, Duration.ofMinutes(5));
            conf.set(AutoScalerOptions.RESTART_TIME, Duration.ofSeconds(60));
            conf.set(AutoScalerOptions.PREFER_TRACKED_RESTART_TIME, true);
            conf.set(AutoScalerOptions.VERTEX_MIN_PARALLELISM, 1);
            conf.set(AutoScalerOptions.VERTEX_MAX_PARALLELISM, JobModel.PARTITIONS);
            return conf;
        }
    }

    private final Configuration conf;
    private final SimClock clock = new SimClock();
    private final AutoScalerStateStore<String, JobAutoScalerContext<String>> store =
            new InMemoryAutoScalerStateStore<>();
    private final ModelMetrics collector = new ModelMetrics(clock);
    private final ScalingMetricEvaluator evaluator = new ScalingMetricEvaluator();
    private final ScalingExecutor<String, JobAutoScalerContext<String>> executor;
    private JobModel job;
    private double lastRecordsIn;
    private double lastBusiestMs;
    private double lastTotalMs;
    private long lastSecondsRunning;
    private int lastStarts;

    OperatorAutoscaler(Settings settings) {
        this.conf = settings.configuration();
        AutoScalerEventHandler<String, JobAutoScalerContext<String>> quiet =
                (context, type, reason, message, messageKey, interval) -> {};
        this.executor = new ScalingExecutor<>(quiet, store);
        useClock(executor, clock);
    }

    @Override
    public String name() {
        return "operator";
    }

    @Override
    public int tick(int t, JobModel model) {
        if (t % RECONCILE_SECONDS != 0) {
            return model.parallelism();
        }
        this.job = model;
        clock.now = OurPolicy.EPOCH.plusSeconds(t);
        if (!model.running()) {
            // JobAutoScalerImpl.scale: nothing while the job is not RUNNING.
            return model.parallelism();
        }
        try {
            decide();
            String override = store.getParallelismOverrides(context()).get(SOURCE.toHexString());
            return override == null ? model.parallelism() : Integer.parseInt(override);
        } catch (NotReadyException e) {
            return model.parallelism();
        } catch (Exception e) {
            throw new IllegalStateException("the operator's autoscaler failed at " + t + " s", e);
        }
    }

    /** JobAutoScalerImpl.runScalingLogic, with the simulator's clock. */
    private void decide() throws Exception {
        JobAutoScalerContext<String> ctx = context();
        Instant now = clock.instant();
        var collected = collector.updateMetrics(ctx, store);
        var topology = collected.getJobTopology();
        var tracking = ScalingHistoryUtils.getTrimmedScalingTracking(store, ctx, now);
        var history = ScalingHistoryUtils.getTrimmedScalingHistory(store, ctx, now);
        if (tracking.recordRestartDurationIfTrackedAndParallelismMatches(
                collected.getJobRunningTs(), topology, history)) {
            store.storeScalingTracking(ctx, tracking);
        }
        if (collected.getMetricHistory().size() < 2) {
            return;
        }
        // The library evaluates before this check only to report the metrics; the evaluator is
        // stateless, so skipping it here changes no decision.
        if (!collected.isFullyCollected()) {
            return;
        }
        var evaluated =
                evaluator.evaluate(conf, collected, tracking.getMaxRestartTimeOrDefault(conf));
        var delayedScaleDown = store.getDelayedScaleDown(ctx);
        executor.scaleResource(ctx, evaluated, history, tracking, now, topology, delayedScaleDown);
        if (delayedScaleDown.isUpdated()) {
            store.storeDelayedScaleDown(ctx, delayedScaleDown);
        }
    }

    private JobAutoScalerContext<String> context() {
        return new JobAutoScalerContext<>(
                "streampulse",
                JOB,
                job.running() ? JobStatus.RUNNING : JobStatus.RESTARTING,
                conf,
                new UnregisteredMetricsGroup(),
                () -> {
                    throw new UnsupportedOperationException("the model has no REST API");
                });
    }

    /** The model's metrics since the previous reconciliation, as Flink would report them. */
    private Map<FlinkMetric, AggregatedMetric> sourceMetrics() {
        JobModel.FlinkCounters c = job.counters();
        if (c.starts != lastStarts) {
            lastStarts = c.starts;
            lastRecordsIn = 0;
            lastBusiestMs = 0;
            lastTotalMs = 0;
            lastSecondsRunning = 0;
        }
        double seconds = Math.max(1, c.secondsRunning - lastSecondsRunning);
        double inPerSecond = (c.recordsIn - lastRecordsIn) / seconds;
        double busiest = (c.busiestBusyMs - lastBusiestMs) / seconds;
        double total = (c.totalBusyMs - lastTotalMs) / seconds;
        lastRecordsIn = c.recordsIn;
        lastBusiestMs = c.busiestBusyMs;
        lastTotalMs = c.totalBusyMs;
        lastSecondsRunning = c.secondsRunning;
        int p = job.parallelism();
        return Map.of(
                FlinkMetric.BUSY_TIME_PER_SEC,
                new AggregatedMetric("busyTimeMsPerSecond", 0.0, busiest, total / p, total, 0.0),
                FlinkMetric.BACKPRESSURE_TIME_PER_SEC,
                new AggregatedMetric("backPressuredTimeMsPerSecond", 0.0, 0.0, 0.0, 0.0, 0.0),
                FlinkMetric.SOURCE_TASK_NUM_RECORDS_IN_PER_SEC,
                sum("numRecordsInPerSecond", inPerSecond),
                FlinkMetric.SOURCE_TASK_NUM_RECORDS_IN,
                sum("numRecordsIn", c.recordsIn),
                FlinkMetric.PENDING_RECORDS,
                sum("pendingRecords", job.trueLag()));
    }

    private static AggregatedMetric sum(String id, double sum) {
        return new AggregatedMetric(id, Double.NaN, Double.NaN, Double.NaN, sum, Double.NaN);
    }

    /**
     * The library's collector; only the answers of the JobManager's REST API come from the model.
     */
    private final class ModelMetrics
            extends ScalingMetricCollector<String, JobAutoScalerContext<String>> {

        ModelMetrics(Clock clock) {
            setClock(clock);
        }

        @Override
        public JobDetailsInfo getJobDetailsInfo(
                JobAutoScalerContext<String> context, Duration clientTimeout) {
            return null; // read through the two overrides below
        }

        @Override
        protected Instant getJobRunningTs(JobDetailsInfo ignored) {
            return clock.instant().minusSeconds(job.counters().secondsRunning);
        }

        @Override
        protected JobTopology getJobTopology(
                JobAutoScalerContext<String> ctx,
                AutoScalerStateStore<String, JobAutoScalerContext<String>> stateStore,
                JobDetailsInfo ignored)
                throws Exception {
            JobModel.FlinkCounters c = job.counters();
            VertexInfo source =
                    new VertexInfo(
                            SOURCE,
                            Map.of(),
                            job.parallelism(),
                            JOB_MAX_PARALLELISM,
                            new IOMetrics(0, (long) c.recordsIn, c.totalBusyMs));
            // What updateKafkaPulsarSourceNumPartitions reads from the reader's metric names.
            source.setNumSourcePartitions(JobModel.PARTITIONS);
            ScalingHistoryUtils.updateVertexList(stateStore, ctx, clock.instant(), Set.of(SOURCE));
            return new JobTopology(source);
        }

        @Override
        protected Map<JobVertexID, Map<String, FlinkMetric>> queryFilteredMetricNames(
                JobAutoScalerContext<String> ctx, JobTopology topology) {
            return Map.of(SOURCE, Map.of());
        }

        @Override
        protected Map<JobVertexID, Map<FlinkMetric, AggregatedMetric>> queryAllAggregatedMetrics(
                JobAutoScalerContext<String> ctx,
                Map<JobVertexID, Map<String, FlinkMetric>> names) {
            return Map.of(SOURCE, sourceMetrics());
        }

        /**
         * The slots the job holds, as RestApiMetricsCollector reads them. Only the operator's
         * resource check and memory tuning use them (both off here); without them the library
         * throws and catches a NullPointerException every round (a third of a 24 h run's samples in
         * a profile).
         */
        @Override
        protected Map<FlinkMetric, Metric> queryJmMetrics(JobAutoScalerContext<String> ctx) {
            String slots = Integer.toString(job.parallelism());
            return Map.of(
                    FlinkMetric.NUM_TASK_SLOTS_TOTAL,
                    new Metric("taskSlotsTotal", slots),
                    FlinkMetric.NUM_TASK_SLOTS_AVAILABLE,
                    new Metric("taskSlotsAvailable", "0"));
        }

        @Override
        protected Map<FlinkMetric, AggregatedMetric> queryTmMetrics(
                JobAutoScalerContext<String> ctx) {
            return Map.of();
        }
    }

    /** The simulator's time. */
    private static final class SimClock extends Clock {
        Instant now = OurPolicy.EPOCH;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** ScalingExecutor builds its JobVertexScaler itself and keeps it private. */
    private static void useClock(ScalingExecutor<?, ?> executor, Clock clock) {
        try {
            Field field = ScalingExecutor.class.getDeclaredField("jobVertexScaler");
            field.setAccessible(true);
            Method setClock = JobVertexScaler.class.getDeclaredMethod("setClock", Clock.class);
            setClock.setAccessible(true);
            setClock.invoke(field.get(executor), clock);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "flink-autoscaler changed: no ScalingExecutor.jobVertexScaler.setClock", e);
        }
    }
}
