package com.streampulse.bench;

import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.aggregate.MergeCounts;
import com.streampulse.job.aggregate.WindowResults;
import com.streampulse.job.alerts.AlertRules;
import com.streampulse.job.alerts.AlertThresholds;
import com.streampulse.job.records.ContentStats;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.records.WindowCounts.Dimension;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * {@code make bench-window}: what the content windows cost per partial sum at the {@code wide}
 * shape (every partial its own key), in CPU time of the window task's own thread, so the figure
 * holds on a loaded machine where wall-clock rates do not. The window definition is the job's
 * (1-minute tumbling windows, 5 minutes of allowed lateness, {@link MergeCounts}, {@link
 * WindowResults} with the content alert rules); its input is synthetic partials, one per key,
 * {@code keysPerMinute} a minute, and the bounded input's final watermark fires and then purges
 * every window, so the figure includes adding, firing and cleaning up. Each variant changes only
 * Flink settings, e.g. where the timers live.
 *
 * <p>Usage: {@code WindowStateBench [partials=1000000] [keysPerMinute=250000] [rounds=2]}: the
 * variants run interleaved, {@code rounds} times, so a busy spell hits all of them.
 */
final class WindowStateBench {

    /** The variant that runs {@link BucketedWindowsPrototype} instead of the job's windows. */
    private static final String BUCKETED =
            "RocksDB, prototype: a timer per bucket of content ids (not the job)";

    /** Buckets of content ids in the prototype: one per key group at the job's max parallelism. */
    private static final int BUCKETS = StreamPulseJob.MAX_PARALLELISM;

    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final Duration LATENESS = Duration.ofMinutes(5);

    private WindowStateBench() {}

    public static void main(String[] args) throws Exception {
        int partials = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        int keysPerMinute = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 250_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Map<String, Map<String, String>> variants = new LinkedHashMap<>();
        variants.put("RocksDB, timers in RocksDB (the job today)", Map.of());
        variants.put(
                "RocksDB + bloom filters",
                Map.of("state.backend.rocksdb.use-bloom-filter", "true"));
        variants.put(
                "RocksDB, timers on the heap",
                Map.of("state.backend.rocksdb.timer-service.factory", "HEAP"));
        variants.put(
                "heap state backend (reference: no RocksDB)",
                Map.of("state.backend.type", "hashmap"));
        variants.put(BUCKETED, Map.of());
        System.out.printf(
                "Content windows at the wide shape: %,d partials, %,d keys a minute, one per key,"
                        + " parallelism 1; CPU of the window task's thread; %s%n",
                partials, keysPerMinute, Load.describe());
        try (BenchCluster cluster = new BenchCluster(1)) {
            run(cluster, "warm-up", Map.of(), partials / 4, keysPerMinute); // JIT
            System.out.printf(
                    "| %-70s | µs CPU per partial | wall s | load average |%n", "variant");
            System.out.println("|---|---:|---:|---|");
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, Map<String, String>> v : variants.entrySet()) {
                    long began = System.nanoTime();
                    long cpu = run(cluster, v.getKey(), v.getValue(), partials, keysPerMinute);
                    System.out.printf(
                            "| %-70s | %.2f | %.1f | %s |%n",
                            v.getKey(),
                            cpu / 1e3 / partials,
                            (System.nanoTime() - began) / 1e9,
                            Load.describe());
                }
            }
        }
        System.exit(0);
    }

    private static long run(
            BenchCluster cluster,
            String name,
            Map<String, String> settings,
            int partials,
            int keysPerMinute)
            throws Exception {
        StreamExecutionEnvironment env = Scenarios.environment(1);
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(PipelineOptions.MAX_PARALLELISM, StreamPulseJob.MAX_PARALLELISM);
        conf.addAll(Configuration.fromMap(settings));
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
        DataStream<ContentStats> windows =
                name.equals(BUCKETED)
                        ? input.keyBy(c -> Math.floorMod(c.key.hashCode(), BUCKETS), Types.INT)
                                .transform(
                                        "Content windows",
                                        rows,
                                        new BucketedWindowsPrototype(
                                                WINDOW.toMillis(), LATENESS.toMillis()))
                        : input.keyBy(c -> c.key, Types.STRING)
                                .window(TumblingEventTimeWindows.of(WINDOW))
                                .allowedLateness(LATENESS)
                                .aggregate(
                                        new MergeCounts(),
                                        new WindowResults<>(
                                                ContentStats::of,
                                                AlertRules.SCOPE_CONTENT,
                                                AlertThresholds.DEFAULTS),
                                        counts,
                                        counts,
                                        rows)
                                .name("Content windows");
        windows.sinkTo(new ThreadCpuSink<>(name));
        cluster.run(env, "window-state " + name);
        return ThreadCpuSink.take(name);
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
