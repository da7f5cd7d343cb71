package com.streampulse.local;

import com.streampulse.config.Settings;
import com.streampulse.generator.DemoTraffic;
import com.streampulse.generator.DurationConverter;
import com.streampulse.generator.Generator;
import com.streampulse.generator.KafkaSink;
import com.streampulse.generator.SyntheticOptions;
import com.streampulse.generator.SyntheticSource;
import com.streampulse.generator.WorkloadShape;
import com.streampulse.job.alerting.AlertSender;
import com.streampulse.job.alerting.AlertSenderConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code make run}: the whole pipeline in one process, until Ctrl-C. */
@Command(
        name = "make run ARGS=\"...\"",
        sortOptions = false,
        usageHelpWidth = 100,
        description = {
            "Runs Kafka, PostgreSQL, the StreamPulse job (Flink MiniCluster, web UI) and the event"
                    + " generator in one process. Ctrl-C stops everything.",
            "Set KAFKA_BOOTSTRAP_SERVERS (and KAFKA_*) or PG_HOST (and PG_*) to use an external"
                    + " Kafka or PostgreSQL instead of the embedded one; every other job variable"
                    + " (ALERT_*, OUT_OF_ORDERNESS, ...) applies as in production.",
        })
public final class LocalMain implements Callable<Integer> {

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    @Option(
            names = "--rate",
            defaultValue = "200",
            description = "Events per second. Default: ${DEFAULT-VALUE}")
    double rate;

    @Option(
            names = "--duration",
            converter = DurationConverter.class,
            description = "Stop everything after this long, e.g. 3m (default: until Ctrl-C).")
    Duration duration;

    @Option(
            names = "--count",
            description = "Events to send, then keep running (default: no limit).")
    long count;

    @Option(
            names = "--window-size",
            description = "Window size, e.g. 10s or 1m (WINDOW_SIZE). Default: 1m")
    String windowSize;

    @Option(
            names = "--no-generator",
            description = "Start the pipeline only; send events yourself.")
    boolean noGenerator;

    @Option(names = "--clean", description = "Delete the data directory first (a fresh database).")
    boolean clean;

    @Option(names = "--seed", description = "Generator seed (default: random, printed).")
    Long seed;

    @Option(
            names = "--shape",
            defaultValue = "tiny",
            description =
                    "Generator workload: tiny (the original catalogue), catalog (100,000 content"
                        + " ids, Zipf 1.1, 50 regions, 200 device/OS pairs, its own dirty mix, no"
                        + " degraded region) or wide (a new content id per event). Default:"
                        + " ${DEFAULT-VALUE}")
    String shape;

    @Option(
            names = "--degrade",
            defaultValue = "EU-Paris",
            description = "Region that turns bad, so alerts fire. Default: ${DEFAULT-VALUE}")
    String degrade;

    @Option(
            names = "--degrade-after",
            converter = DurationConverter.class,
            defaultValue = "6m",
            description =
                    "When the region turns bad (after the anomaly baselines learned 3 final"
                            + " windows: 3 minutes + 1 of the demo's lateness)."
                            + " Default: ${DEFAULT-VALUE}")
    Duration degradeAfter;

    @Option(
            names = "--demo",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Demo traffic (tiny shape): a new title surges after 2 min, ASIA-Mumbai's"
                            + " speed drifts down from 4 min, 40 regular users come back every 4"
                            + " min. --no-demo sends the original producer's traffic only.")
    boolean demo;

    @Option(
            names = "--malformed-fraction",
            defaultValue = "0.002",
            description = "Share of undecodable records. Default: ${DEFAULT-VALUE}")
    double malformedFraction;

    @Option(
            names = "--invalid-fraction",
            defaultValue = "0.001",
            description = "Share of invalid events. Default: ${DEFAULT-VALUE}")
    double invalidFraction;

    @Option(
            names = "--partitions",
            defaultValue = "4",
            description = "Topic partitions. Default: ${DEFAULT-VALUE}")
    int partitions;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "Job parallelism. Default: ${DEFAULT-VALUE}")
    int parallelism;

    @Option(
            names = "--report-every",
            converter = DurationConverter.class,
            defaultValue = "10s",
            description = "Progress report interval. Default: ${DEFAULT-VALUE}")
    Duration reportEvery;

    @Option(
            names = "--data-dir",
            defaultValue = ".local-data",
            description = "Default: ${DEFAULT-VALUE}")
    Path dataDir;

    @Option(
            names = "--kafka-port",
            defaultValue = "9092",
            description = "Default: ${DEFAULT-VALUE} (if free)")
    int kafkaPort;

    @Option(
            names = "--pg-port",
            defaultValue = "5432",
            description = "Default: ${DEFAULT-VALUE} (if free)")
    int pgPort;

    @Option(
            names = "--web-ui-port",
            defaultValue = "8081",
            description = "Default: ${DEFAULT-VALUE} (if free)")
    int webUiPort;

    private final PrintStream out = System.out;
    private final CountDownLatch finished = new CountDownLatch(1);
    private LocalStack stack;
    private AlertSender alertSender;
    private Generator generator;
    private Thread generatorThread;
    private KafkaSink sink;
    private Reporter reporter;
    private boolean shutDown;

    public static void main(String[] args) {
        int exit = new CommandLine(new LocalMain()).execute(args);
        System.exit(exit);
    }

    @Override
    public Integer call() throws Exception {
        // Before anything logs: the log file lives in the data directory.
        if (clean) {
            deleteRecursively(dataDir);
            out.println("🧹 Deleted " + dataDir);
        }
        Files.createDirectories(dataDir);
        // Kafka starts empty on every run, so old checkpoints (with old offsets) are useless.
        deleteRecursively(dataDir.resolve("checkpoints"));
        System.setProperty("streampulse.log.dir", dataDir.toAbsolutePath().toString());
        stopOnSignals();

        Map<String, String> env = new HashMap<>(System.getenv());
        if (windowSize != null) {
            env.put("WINDOW_SIZE", windowSize);
        }
        stack =
                LocalStack.start(
                        new LocalStack.Options(
                                env,
                                dataDir,
                                kafkaPort,
                                pgPort,
                                webUiPort,
                                partitions,
                                parallelism),
                        out);
        out.println("🐘 Query the live tables: " + stack.psqlCommand());
        out.println(
                "📮 Kafka for other tools: "
                        + stack.config().kafka().bootstrapServers()
                        + "  (logs: "
                        + dataDir.resolve("local.log")
                        + ")");
        // ALERTMANAGER_URL=http://localhost:9093 make run: alert changes go to that Alertmanager.
        AlertSenderConfig alerting =
                AlertSenderConfig.from(Settings.of(System.getenv()), stack.config().postgres());
        if (alerting != null) {
            alertSender = new AlertSender(alerting);
            alertSender.start();
            out.println("🔔 Alert changes go to Alertmanager at " + alerting.alertmanagerForLogs());
        }
        if (!noGenerator) {
            startGenerator();
        }
        reporter = new Reporter(stack.config(), generator, reportEvery, out);
        Thread reporterThread = new Thread(reporter, "reporter");
        reporterThread.setDaemon(true);
        reporterThread.start();
        out.println("⌨️  Ctrl-C stops everything");

        if (duration != null) {
            finished.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            finished.await();
        }
        shutdown();
        return 0;
    }

    /**
     * Ctrl-C and SIGTERM end the wait in {@link #call()}, which then stops everything in order
     * while the JVM still runs. A plain shutdown hook would race the embedded servers' own hooks
     * (the database and the broker's directories go first, and the job fails writing to them). A
     * second Ctrl-C exits at once; the hook remains for other ways out.
     */
    private void stopOnSignals() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "make-run-shutdown"));
        for (String name : List.of("INT", "TERM")) {
            try {
                Signal.handle(
                        new Signal(name),
                        signal -> {
                            if (finished.getCount() == 0) {
                                System.exit(130);
                            }
                            finished.countDown();
                        });
            } catch (IllegalArgumentException unsupported) {
                // Not on this platform: the shutdown hook does the work.
            }
        }
    }

    private void startGenerator() {
        WorkloadShape workload = WorkloadShape.parse(shape);
        long actualSeed = seed != null ? seed : new java.util.Random().nextLong();
        // On a whole minute, so the first window is full: a partial one would teach the anomaly
        // baselines a volume (and a noisy average) that the demo's short warm-up cannot forget.
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        // The original catalogue's regions can be degraded; the other shapes bring their own mix.
        SyntheticOptions options =
                workload == WorkloadShape.TINY
                        ? SyntheticOptions.plain(actualSeed, start, rate)
                                .withDegraded(
                                        degrade.isBlank() ? List.of() : List.of(degrade),
                                        degradeAfter)
                                .withBadInput(malformedFraction, invalidFraction)
                        : workload.options(actualSeed, start, rate);
        if (demo && workload == WorkloadShape.TINY) {
            options = options.withDemo(DemoTraffic.DEFAULTS);
        }
        sink = KafkaSink.open(stack.config().kafka(), Duration.ofSeconds(10), partitions);
        generator =
                new Generator(
                        new SyntheticSource(options),
                        new ArrayList<>(List.of(sink)),
                        rate,
                        count,
                        null,
                        null,
                        out);
        if (workload == WorkloadShape.TINY) {
            out.printf(
                    "🎲 Generator: %,.0f events/s, seed %d, %s degraded after %d s, %.1f%%"
                            + " malformed, %.1f%% invalid%n",
                    rate,
                    options.seed(),
                    degrade,
                    degradeAfter.toSeconds(),
                    malformedFraction * 100,
                    invalidFraction * 100);
            if (options.demo() != null) {
                out.println("🎬 Demo traffic: " + options.demo().describe());
            }
        } else {
            out.printf(
                    "🎲 Generator: %,.0f events/s, seed %d, shape %s (%s)%n",
                    rate, options.seed(), workload.label(), workload.keyCounts());
        }
        out.println("⏱  Events start at " + start + ", on a whole minute");
        generatorThread =
                new Thread(
                        () -> {
                            try {
                                while (Instant.now().isBefore(start) && finished.getCount() > 0) {
                                    Thread.sleep(100);
                                }
                                Generator.Summary summary = generator.run();
                                out.println("✅ Generator sent " + summary.describe());
                            } catch (RuntimeException e) {
                                out.println("❌ Generator stopped: " + e.getMessage());
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "generator");
        generatorThread.start();
    }

    /** Stops the generator, the reporter, the job, Kafka and PostgreSQL; runs once. */
    private synchronized void shutdown() {
        if (shutDown) {
            return;
        }
        shutDown = true;
        finished.countDown();
        out.println("🛑 Shutting down");
        if (generator != null) {
            generator.stop();
            join(generatorThread);
            sink.close();
        }
        if (reporter != null) {
            reporter.stop();
            reporter.report(null);
        }
        if (alertSender != null) {
            alertSender.stop();
        }
        if (stack != null) {
            stack.close();
        }
        out.println("👋 Stopped cleanly");
    }

    private static void join(Thread thread) {
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
