package com.streampulse.bench;

import com.streampulse.generator.ZipfSampler;
import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.aggregate.PreAggregator;
import com.streampulse.job.records.Download;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.trending.Ranking;
import com.streampulse.job.trending.TrendingBatch;
import com.streampulse.job.trending.TrendingBuckets;
import com.streampulse.job.trending.TrendingRanker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code make bench-trending}: what trending costs per download, in CPU time of the threads that do
 * the work, so the figure holds on a loaded machine where wall-clock rates do not. Synthetic
 * downloads at the {@code catalog} shape's key counts (100,000 content ids, Zipf 1.1, 50 regions)
 * go through the job's {@link PreAggregator} (trending off, then on, with the job's buckets of
 * content ids) and its two trending operators on RocksDB, parallelism 1. The figures are the
 * pre-aggregator's thread (source and pre-aggregation, chained), the per-bucket thread and the
 * per-scope thread, per download; trending's share of the first is its difference between off and
 * on.
 *
 * <p>As in {@code catalog}, 0.5 % of the downloads are two minutes late (within the lateness): they
 * reach windows the watermark has passed, which costs trending far more than their share (each
 * re-ranks the windows it changed), so a bench without them misses where the time goes.
 *
 * <p>Usage: {@code TrendingStateBench [downloads=6000000] [rate=50000] [bufferedKeys=100000]
 * [rounds=2] [buckets=StreamPulseJob.TRENDING_BUCKETS]}, rate in downloads per second of event time
 * (the catalog's 50,000; production density 285,000), windows of one minute ranked over 15 minutes,
 * top 10, lateness 5 minutes.
 */
final class TrendingStateBench {

    private static final AtomicLong BATCHES = new AtomicLong();
    private static final AtomicLong ROWS = new AtomicLong();
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final long LENGTH = Duration.ofMinutes(15).toMillis();
    private static final long LATENESS = Duration.ofMinutes(5).toMillis();
    private static final int TOP_N = 10;
    private static final long START = SustainedBench.START.toEpochMilli();
    private static final int CONTENTS = 100_000;
    private static final ZipfSampler ZIPF = new ZipfSampler(CONTENTS, 1.1);

    /** {@code catalog}'s late-within mix: one download in 200, two minutes late. */
    private static final int LATE_ONE_IN = 200;

    private static final long LATE_BY = Duration.ofMinutes(2).toMillis();

    private TrendingStateBench() {}

    public static void main(String[] args) throws Exception {
        int downloads = arg(args, 0, 6_000_000);
        int rate = arg(args, 1, 50_000);
        int buffered = arg(args, 2, 100_000);
        int rounds = arg(args, 3, 2);
        int buckets = arg(args, 4, StreamPulseJob.TRENDING_BUCKETS);
        System.out.printf(
                "Trending: %,d downloads, %,d content ids (Zipf 1.1), 50 regions, %,d/s of event"
                        + " time (%.0f minutes), 0.5 %% two minutes late, %,d buffered keys,"
                        + " %d buckets, parallelism 1; %s%n",
                downloads,
                CONTENTS,
                rate,
                downloads / (rate * 60.0),
                buffered,
                buckets,
                Load.describe());
        System.out.println(
                "| trending | µs CPU per download: source + pre-aggregation | per bucket | per"
                        + " scope | batches | rows | load average |");
        System.out.println("|---|---:|---:|---:|---:|---:|---|");
        try (BenchCluster cluster = new BenchCluster(1)) {
            run(cluster, true, downloads / 4, rate, buffered, buckets); // JIT
            for (int round = 0; round < rounds; round++) {
                for (boolean trending : new boolean[] {false, true}) {
                    long[] cpu = run(cluster, trending, downloads, rate, buffered, buckets);
                    System.out.printf(
                            "| %s | %.2f | %s | %s | %s | %s | %s |%n",
                            trending ? "on" : "off",
                            cpu[0] / 1e3 / downloads,
                            trending ? String.format("%.3f", cpu[1] / 1e3 / downloads) : "-",
                            trending ? String.format("%.3f", cpu[2] / 1e3 / downloads) : "-",
                            trending ? String.format("%,d", cpu[3]) : "-",
                            trending ? String.format("%,d", cpu[4]) : "-",
                            Load.describe());
                }
            }
        }
        System.exit(0);
    }

    private static int arg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i].replace("_", "")) : fallback;
    }

    /** CPU nanoseconds of the pre-aggregator's, per-bucket and per-scope threads; batches, rows. */
    private static long[] run(
            BenchCluster cluster,
            boolean trending,
            int downloads,
            int rate,
            int buffered,
            int buckets)
            throws Exception {
        StreamExecutionEnvironment env = Scenarios.environment(1);
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(PipelineOptions.MAX_PARALLELISM, StreamPulseJob.MAX_PARALLELISM);
        env.configure(conf);
        String run = trending + "-" + System.nanoTime();
        SingleOutputStreamOperator<WindowCounts> partials =
                env.fromSequence(0, downloads - 1)
                        .map(i -> download(i, rate))
                        .returns(Download.class)
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Download>forMonotonousTimestamps()
                                        .withTimestampAssigner((d, t) -> d.timestamp()))
                        .transform(
                                "Pre-aggregate",
                                TypeInformation.of(WindowCounts.class),
                                new PreAggregator(
                                        WINDOW.toMillis(),
                                        buffered,
                                        trending ? buckets : 0,
                                        0,
                                        LATENESS));
        partials.sinkTo(new ThreadCpuSink<>(run + "-pre"));
        if (trending) {
            int[] keys = TrendingBuckets.keys(buckets, StreamPulseJob.MAX_PARALLELISM);
            SingleOutputStreamOperator<Ranking> candidates =
                    partials.getSideOutput(PreAggregator.TRENDING)
                            .map(
                                    b -> {
                                        BATCHES.incrementAndGet();
                                        return b;
                                    })
                            .returns(TrendingBatch.class)
                            .keyBy(b -> keys[b.bucket], Types.INT)
                            .process(
                                    new TrendingBuckets(WINDOW.toMillis(), LENGTH, LATENESS, TOP_N))
                            .name("Trending: per bucket");
            // Chained: records the per-bucket task's thread.
            candidates.sinkTo(new ThreadCpuSink<>(run + "-buckets"));
            candidates
                    .keyBy(r -> r.scope, Types.STRING)
                    .process(new TrendingRanker(WINDOW.toMillis(), LENGTH, LATENESS, TOP_N))
                    .name("Trending: per scope")
                    .map(
                            r -> {
                                ROWS.incrementAndGet();
                                return r;
                            })
                    .sinkTo(new ThreadCpuSink<>(run + "-scopes"));
        }
        BATCHES.set(0);
        ROWS.set(0);
        cluster.run(env, "trending-state " + run);
        long pre = ThreadCpuSink.take(run + "-pre");
        Long perBucket = ThreadCpuSink.take(run + "-buckets");
        Long scopes = ThreadCpuSink.take(run + "-scopes");
        return new long[] {
            pre,
            perBucket == null ? 0 : perBucket,
            scopes == null ? 0 : scopes,
            BATCHES.get(),
            ROWS.get()
        };
    }

    /**
     * Download {@code i}: content by Zipf 1.1, region uniform, at {@code rate} per second, one in
     * {@link #LATE_ONE_IN} {@link #LATE_BY} late. Ids and titles are new strings per download, as
     * Kafka's deserializer makes them.
     */
    static Download download(long i, int rate) {
        long h = mix(i);
        long late = Math.floorMod(h, LATE_ONE_IN) == 0 ? LATE_BY : 0;
        long time = Math.max(START, START + i * 1000 / rate - late);
        int content = ZIPF.rankAt((h >>> 11) * 0x1.0p-53) - 1;
        return new Download(
                time,
                "content_" + content,
                "Title " + content,
                "REGION-" + Math.floorMod(mix(~i), 50L),
                "Device 1",
                "OS 1",
                Download.Status.SUCCESS,
                30,
                50_000_000L,
                700,
                0,
                i,
                time,
                null,
                false,
                "user_1");
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
