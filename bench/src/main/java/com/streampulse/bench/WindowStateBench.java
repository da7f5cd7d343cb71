package com.streampulse.bench;

import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.aggregate.BucketedWindows;
import com.streampulse.job.aggregate.MergeCounts;
import com.streampulse.job.aggregate.WindowResults;
import com.streampulse.job.alerts.AlertRules;
import com.streampulse.job.alerts.AlertThresholds;
import com.streampulse.job.records.ContentStats;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.records.WindowCounts.Dimension;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.contrib.streaming.state.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;

/**
 * {@code make bench-window}: what the content windows cost per partial sum at the {@code wide}
 * shape (every partial its own key), in CPU time of the window task's own thread, so the figure
 * holds on a loaded machine where wall-clock rates do not. Both variants are the job's window
 * definition (1-minute tumbling windows, 5 minutes of allowed lateness, {@link WindowResults} with
 * the content alert rules, the job's RocksDB settings): the job's {@link BucketedWindows}, keyed by
 * bucket of content ids, against the Flink {@code WindowOperator} configuration it replaced (keyed
 * by content id, {@link MergeCounts}). The input is synthetic partials, one per key, {@code
 * keysPerMinute} a minute, and the bounded input's final watermark fires and then purges every
 * window, so the figure includes adding, firing and cleaning up.
 *
 * <p>Usage: {@code WindowStateBench [partials=1000000] [keysPerMinute=250000] [rounds=2]}: the
 * variants run interleaved, {@code rounds} times, so a busy spell hits all of them.
 */
final class WindowStateBench {

    private static final String BUCKETED = "bucketed windows (the job)";
    private static final String WINDOW_OPERATOR =
            "Flink WindowOperator keyed by content id (the job before)";

    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final Duration LATENESS = Duration.ofMinutes(5);

    private static final OutputTag<WindowCounts> DROPPED =
            new OutputTag<>("dropped", TypeInformation.of(WindowCounts.class));

    private WindowStateBench() {}

    public static void main(String[] args) throws Exception {
        int partials = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        int keysPerMinute = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 250_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        System.out.printf(
                "Content windows at the wide shape: %,d partials, %,d keys a minute, one per key,"
                        + " parallelism 1, RocksDB with bloom filters as the job configures it; CPU"
                        + " of the window task's thread; %s%n",
                partials, keysPerMinute, Load.describe());
        try (BenchCluster cluster = new BenchCluster(1)) {
            run(cluster, WINDOW_OPERATOR, partials / 4, keysPerMinute); // JIT
            run(cluster, BUCKETED, partials / 4, keysPerMinute);
            System.out.printf(
                    "| %-60s | µs CPU per partial | wall s | load average |%n", "variant");
            System.out.println("|---|---:|---:|---|");
            for (int round = 0; round < rounds; round++) {
                for (String variant : List.of(WINDOW_OPERATOR, BUCKETED)) {
                    long began = System.nanoTime();
                    long cpu = run(cluster, variant, partials, keysPerMinute);
                    System.out.printf(
                            "| %-60s | %.2f | %.1f | %s |%n",
                            variant,
                            cpu / 1e3 / partials,
                            (System.nanoTime() - began) / 1e9,
                            Load.describe());
                }
            }
        }
        System.exit(0);
    }

    private static long run(BenchCluster cluster, String variant, int partials, int keysPerMinute)
            throws Exception {
        StreamExecutionEnvironment env = Scenarios.environment(1);
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(PipelineOptions.MAX_PARALLELISM, StreamPulseJob.MAX_PARALLELISM);
        env.configure(conf);
        TypeInformation<WindowCounts> counts = TypeInformation.of(WindowCounts.class);
        DataStream<WindowCounts> input =
                env.fromSequence(0, partials - 1)
                        .map(i -> partial(i, keysPerMinute))
                        .returns(counts)
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<WindowCounts>forMonotonousTimestamps()
                                        .withTimestampAssigner(
                                                (c, t) -> c.windowStart + WINDOW.toMillis() - 1));
        TypeInformation<ContentStats> rows = TypeInformation.of(ContentStats.class);
        WindowResults<ContentStats> results =
                new WindowResults<>(
                        ContentStats::of, AlertRules.SCOPE_CONTENT, AlertThresholds.DEFAULTS);
        KeySelector<WindowCounts, String> key = c -> c.key;
        DataStream<ContentStats> windows =
                variant.equals(BUCKETED)
                        ? input.keyBy(
                                        BucketedWindows.buckets(
                                                key, StreamPulseJob.MAX_PARALLELISM),
                                        Types.INT)
                                .transform(
                                        "Content windows",
                                        rows,
                                        new BucketedWindows<>(
                                                WINDOW.toMillis(),
                                                LATENESS.toMillis(),
                                                key,
                                                results,
                                                DROPPED))
                        : input.keyBy(key, Types.STRING)
                                .window(TumblingEventTimeWindows.of(WINDOW))
                                .allowedLateness(LATENESS)
                                .sideOutputLateData(DROPPED)
                                .aggregate(new MergeCounts(), results, counts, counts, rows)
                                .name("Content windows");
        windows.sinkTo(new ThreadCpuSink<>(variant));
        cluster.run(env, "window-state " + variant);
        return ThreadCpuSink.take(variant);
    }

    /** One partial of the wide shape: its own content id, one successful download. */
    static WindowCounts partial(long i, int keysPerMinute) {
        WindowCounts c =
                new WindowCounts(
                        Dimension.CONTENT,
                        "wide_" + i,
                        "Wide title " + i,
                        i / keysPerMinute * WINDOW.toMillis());
        c.total = 1;
        c.successful = 1;
        c.onTimeTotal = 1;
        c.onTimeSuccessful = 1;
        c.durationSecondsSum = 30;
        c.speedMicrosSum = 50_000_000;
        c.onTimeSpeedMicrosSum = 50_000_000;
        c.successfulSizeMb = 700;
        c.sources = "0:" + i + "-" + i;
        return c;
    }
}
