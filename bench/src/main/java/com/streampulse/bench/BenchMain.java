package com.streampulse.bench;

import com.streampulse.generator.WorkloadShape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code make bench}: issue 6's measurements in one process. Usage: {@code BenchMain
 * [--events=5000000] [--runs=3] [--latency-rate=50000]
 * [--phases=throughput,sustained,latency,scale] ...} (see {@link BenchOptions}).
 */
public final class BenchMain {

    /** Fixed event-time start of the throughput data set: same seed, same bytes. */
    static final Instant THROUGHPUT_START = Instant.parse("2026-01-01T00:00:00Z");

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        Path work =
                Files.createDirectories(Path.of(System.getProperty("bench.dir", "target/bench")));
        System.out.printf(
                "StreamPulse benchmark %s: %d cores, max heap %,d MiB, %s%n",
                Instant.now(),
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                options);
        System.out.printf(
                "Peak RSS reset before each run (/proc/self/clear_refs): %s%n",
                ProcessMeter.start().rssReset() ? "yes" : "no, figures are the process's peak");
        Report report = new Report(System.out);
        try (Infrastructure infra = new Infrastructure();
                // Four slots when the curves run parallelism 4 (on two cores: oversubscribed).
                BenchCluster cluster =
                        new BenchCluster(
                                options.phases().contains("curves")
                                        ? Math.max(4, options.parallelism())
                                        : options.parallelism());
                var producer = infra.producer()) {
            EventLoader loader = new EventLoader(producer, options.partitions());
            double catalogRate = 0;
            Map<WorkloadShape, EventLoader.Loaded> backlogs = new EnumMap<>(WorkloadShape.class);
            if (options.phases().contains("throughput")) {
                infra.kafka().createTopic("throughput", options.partitions());
                EventLoader.Loaded loaded =
                        loader.synthetic(
                                "throughput",
                                options.events(),
                                options.seed(),
                                THROUGHPUT_START,
                                options.eventRate());
                System.out.printf(
                        "Loaded %,d events into %d partitions in %.1f s (%,.0f/s)%n",
                        loaded.records(),
                        options.partitions(),
                        loaded.seconds(),
                        loaded.perSecond());
                report.throughput(
                        options,
                        new ThroughputBench(
                                        infra,
                                        cluster,
                                        options,
                                        "throughput",
                                        work.resolve("checkpoints-throughput"))
                                .measure());
            }
            if (options.phases().contains("sustained")) {
                System.out.printf(
                        "%nSustained phase: warm-up %d s, then %d s measured, checkpoints every %d"
                                + " s, parallelism %d...%n",
                        options.warmupSeconds(),
                        options.steadySeconds(),
                        SustainedBench.CHECKPOINT_INTERVAL.toSeconds(),
                        options.parallelism());
                SustainedBench bench = new SustainedBench(infra, cluster, options, backlogs);
                for (WorkloadShape shape : options.shapes()) {
                    SustainedBench.Result r =
                            bench.measure(
                                    shape,
                                    options.parallelism(),
                                    loader,
                                    work.resolve("checkpoints-sustained"));
                    report.sustained(r);
                    if (shape == WorkloadShape.CATALOG && r.backlogAtEnd() > 0) {
                        catalogRate = r.eventsPerSecond();
                    }
                }
            }
            if (options.phases().contains("features")) {
                System.out.printf(
                        "%nFeatures phase: catalog sustained with trending, anomaly alerts and"
                                + " sessions all off, then all but sessions, then all on (issue"
                                + " 16)...%n");
                SustainedBench bench = new SustainedBench(infra, cluster, options, backlogs);
                Path checkpoints = work.resolve("checkpoints-features");
                List<SustainedBench.Features> order =
                        new ArrayList<>(
                                List.of(
                                        SustainedBench.Features.NONE,
                                        SustainedBench.Features.NO_SESSIONS,
                                        SustainedBench.Features.ALL));
                Map<SustainedBench.Features, List<SustainedBench.Result>> runs = new HashMap<>();
                for (int round = 1; round <= options.featureRounds(); round++) {
                    for (SustainedBench.Features f : order) {
                        SustainedBench.Result r =
                                bench.measure(
                                        WorkloadShape.CATALOG,
                                        f,
                                        options.parallelism(),
                                        loader,
                                        checkpoints);
                        report.sustained(r);
                        runs.computeIfAbsent(f, x -> new ArrayList<>()).add(r);
                    }
                    // Alternating, so a drift over the rounds (the JIT, RocksDB's files, the page
                    // cache) favours neither end of a ratio.
                    Collections.reverse(order);
                }
                report.features(
                        runs.get(SustainedBench.Features.NONE),
                        runs.get(SustainedBench.Features.NO_SESSIONS),
                        runs.get(SustainedBench.Features.ALL));
            }
            if (options.phases().contains("curves")) {
                System.out.printf(
                        "%nCurves: sustained, warm-up %d s, %d s measured, against parallelism"
                                + " (catalog) and key count (tiny, catalog_1k, catalog, wide at"
                                + " 2)...%n",
                        options.curveWarmupSeconds(), options.curveSteadySeconds());
                // Shorter runs than the sustained section, on its backlogs: six points in minutes.
                SustainedBench bench =
                        new SustainedBench(infra, cluster, options.forCurves(), backlogs);
                List<SustainedBench.Result> curve = new ArrayList<>();
                for (int p : new int[] {1, 2, 4}) {
                    curve.add(
                            bench.measure(
                                    WorkloadShape.CATALOG,
                                    p,
                                    loader,
                                    work.resolve("checkpoints-curves")));
                }
                for (WorkloadShape shape :
                        List.of(WorkloadShape.TINY, WorkloadShape.CATALOG_1K, WorkloadShape.WIDE)) {
                    curve.add(bench.measure(shape, 2, loader, work.resolve("checkpoints-curves")));
                }
                report.curves(curve);
            }
            if (options.phases().contains("peer")) {
                System.out.printf(
                        "%nPeer phase: the job and pure Flink SQL on %,d clean catalog events...%n",
                        options.events());
                report.peer(
                        new PeerBench(infra, cluster, options)
                                .measure(loader, work.resolve("checkpoints-peer")));
            }
            if (options.phases().contains("latency")) {
                // At shares of the catalog's sustained rate measured above, else of --latency-rate.
                double base = catalogRate > 0 ? catalogRate : options.latencyRate();
                LatencyBench bench = new LatencyBench(infra, cluster, options);
                for (double share : new double[] {0.5, 0.8}) {
                    LatencyBench.Result r =
                            bench.measure(
                                    WorkloadShape.CATALOG,
                                    base * share,
                                    Duration.ofSeconds(options.latencyWindowSeconds()),
                                    "latency-" + Math.round(share * 100),
                                    loader,
                                    work.resolve("checkpoints-latency"));
                    report.latency(
                            r, share, catalogRate > 0 ? "sustained" : "--latency-rate", 10_000);
                }
            }
            if (options.phases().contains("sink")) {
                System.out.printf("%nSink phase: the PostgreSQL upsert candidates...%n");
                report.sink(
                        SinkBench.run(
                                SinkBench.DEFAULT_ROWS,
                                SinkBench.DEFAULT_BATCH,
                                SinkBench.DEFAULT_ROUNDS),
                        SinkBench.DEFAULT_ROWS,
                        SinkBench.DEFAULT_BATCH);
            }
            if (options.phases().contains("scale")) {
                infra.kafka().createTopic("scale", options.partitions());
                System.out.printf("%nScale phase...%n");
                report.scale(
                        options,
                        new ScaleBench(infra, cluster, options)
                                .measure("scale", loader, work.resolve("checkpoints-scale")));
            }
        }
        System.out.println("\nDone.");
        System.exit(0);
    }
}
