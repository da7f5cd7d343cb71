package com.streampulse.bench;

import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.aggregate.PreAggregator;
import com.streampulse.job.records.Download;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.sessions.SessionBatch;
import com.streampulse.job.sessions.SessionBuilder;
import com.streampulse.job.sessions.UserSession;
import java.time.Duration;
import java.util.Map;
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
 * {@code make bench-sessions}: what sessions cost per download, in CPU time of the threads that do
 * the work, so the figure holds on a loaded machine where wall-clock rates do not. Synthetic
 * downloads at the {@code catalog} shape's key counts (users uniform, content ids, regions,
 * devices) go through the job's {@link PreAggregator} (sessions off, then on) and its {@link
 * SessionBuilder} on RocksDB, parallelism 1; the figures are the pre-aggregator's thread (source
 * and pre-aggregation, chained) and the sessions' thread, per download.
 *
 * <p>Usage: {@code SessionStateBench [downloads=3000000] [users=1000000] [rate=50000]
 * [bufferedKeys=100000] [rounds=2] [bufferedUsers=500000] [name=value,...]}, rate in downloads per
 * second of event time (so {@code rate × 60 / users} downloads per user and window). Sessions run
 * twice: joining every batch into RocksDB as it arrives (the builder's buffer of users capped at
 * one), and with {@code bufferedUsers} users' partials joined in memory first (there are no
 * checkpoints here, so the buffer flushes only when full and at the end: the sustained job's 30 s
 * between checkpoints read about 10 M events). Flink settings, if given, add a variant: the buffer
 * with those settings (e.g. {@code state.backend.rocksdb.use-bloom-filter=true}).
 */
final class SessionStateBench {

    private static final AtomicLong PARTIALS = new AtomicLong();
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final long START = SustainedBench.START.toEpochMilli();

    private SessionStateBench() {}

    public static void main(String[] args) throws Exception {
        int downloads = arg(args, 0, 3_000_000);
        int users = arg(args, 1, 1_000_000);
        int rate = arg(args, 2, 50_000);
        int buffered = arg(args, 3, 100_000);
        int rounds = arg(args, 4, 2);
        int bufferedUsers = arg(args, 5, 500_000);
        Map<String, String> tuned = new java.util.LinkedHashMap<>();
        if (args.length > 6) {
            for (String pair : args[6].split(",")) {
                tuned.put(
                        pair.substring(0, pair.indexOf('=')),
                        pair.substring(pair.indexOf('=') + 1));
            }
        }
        System.out.printf(
                "Sessions: %,d downloads, %,d users, %,d/s of event time (%.1f per user and"
                        + " window), %,d buffered keys, parallelism 1; %s%n",
                downloads, users, rate, rate * 60.0 / users, buffered, Load.describe());
        System.out.println(
                "| sessions | µs CPU per download: source + pre-aggregation | sessions | partials"
                        + " per download | load average |");
        System.out.println("|---|---:|---:|---:|---|");
        try (BenchCluster cluster = new BenchCluster(1)) {
            run(cluster, new Variant(1, Map.of()), downloads / 4, users, rate, buffered); // JIT
            run(
                    cluster,
                    new Variant(bufferedUsers, Map.of()),
                    downloads / 4,
                    users,
                    rate,
                    buffered);
            Map<String, Variant> variants = new java.util.LinkedHashMap<>();
            variants.put("off", null);
            variants.put("on, joined per batch", new Variant(1, Map.of()));
            variants.put(
                    "on, " + bufferedUsers + " users buffered",
                    new Variant(bufferedUsers, Map.of()));
            if (!tuned.isEmpty()) {
                variants.put("buffered, " + tuned, new Variant(bufferedUsers, tuned));
            }
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, Variant> v : variants.entrySet()) {
                    boolean sessions = v.getValue() != null;
                    long[] cpu = run(cluster, v.getValue(), downloads, users, rate, buffered);
                    System.out.printf(
                            "| %s | %.2f | %s | %s | %s |%n",
                            v.getKey(),
                            cpu[0] / 1e3 / downloads,
                            sessions ? String.format("%.2f", cpu[1] / 1e3 / downloads) : "-",
                            sessions ? String.format("%.2f", (double) cpu[2] / downloads) : "-",
                            Load.describe());
                }
            }
        }
        System.exit(0);
    }

    private static int arg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i].replace("_", "")) : fallback;
    }

    /** Sessions on: users the builder buffers, Flink settings. */
    private record Variant(int bufferedUsers, Map<String, String> settings) {}

    /**
     * CPU nanoseconds of the pre-aggregator's and the sessions' threads, and the partials; {@code
     * sessions} null for sessions off.
     */
    private static long[] run(
            BenchCluster cluster,
            Variant sessions,
            int downloads,
            int users,
            int rate,
            int buffered)
            throws Exception {
        StreamExecutionEnvironment env = Scenarios.environment(1);
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(PipelineOptions.MAX_PARALLELISM, StreamPulseJob.MAX_PARALLELISM);
        if (sessions != null) {
            conf.addAll(Configuration.fromMap(sessions.settings()));
        }
        env.configure(conf);
        String run = (sessions != null) + "-" + System.nanoTime();
        SingleOutputStreamOperator<WindowCounts> partials =
                env.fromSequence(0, downloads - 1)
                        .map(i -> download(i, users, rate))
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
                                        0,
                                        sessions != null ? StreamPulseJob.SESSION_BUCKETS : 0));
        partials.sinkTo(new ThreadCpuSink<>(run + "-pre"));
        if (sessions != null) {
            partials.getSideOutput(PreAggregator.SESSIONS)
                    .map(
                            b -> {
                                PARTIALS.addAndGet(b.size);
                                return b;
                            })
                    .returns(SessionBatch.class)
                    .keyBy(b -> b.bucket, Types.INT)
                    .transform(
                            "Sessions",
                            TypeInformation.of(UserSession.class),
                            new SessionBuilder(
                                    Duration.ofMinutes(30).toMillis(),
                                    Duration.ofMinutes(5).toMillis(),
                                    WINDOW.toMillis(),
                                    sessions.bufferedUsers()))
                    .sinkTo(new ThreadCpuSink<>(run + "-sessions"));
        }
        PARTIALS.set(0);
        cluster.run(env, "session-state " + run);
        long partialCount = PARTIALS.get();
        long pre = ThreadCpuSink.take(run + "-pre");
        Long sess = ThreadCpuSink.take(run + "-sessions");
        return new long[] {pre, sess == null ? 0 : sess, partialCount};
    }

    /**
     * Download {@code i} of the catalog's key counts, users uniform, at {@code rate} per second.
     */
    static Download download(long i, int users, int rate) {
        long h = mix(i);
        long time = START + i * 1000 / rate;
        int content = (int) Math.floorMod(h >>> 8, 100_000L);
        return new Download(
                time,
                "content_" + content,
                "Title " + content,
                "REGION-" + Math.floorMod(h >>> 20, 50L),
                "Device " + Math.floorMod(h >>> 28, 40L),
                "OS " + Math.floorMod(h >>> 34, 5L),
                (h & 15) == 0 ? Download.Status.FAILED : Download.Status.SUCCESS,
                30,
                50_000_000L,
                700,
                0,
                i,
                time,
                null,
                false,
                String.format("user_%07d", Math.floorMod(mix(~i), (long) users)));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
