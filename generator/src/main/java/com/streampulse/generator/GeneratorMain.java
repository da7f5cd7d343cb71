package com.streampulse.generator;

import com.streampulse.config.ConfigException;
import com.streampulse.config.KafkaSettings;
import com.streampulse.config.Settings;
import com.streampulse.schemas.SchemaVersions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The {@code streampulse-generator} command line. */
@Command(
        name = "streampulse-generator",
        mixinStandardHelpOptions = true,
        version = "streampulse-generator 1.0.0",
        sortOptions = false,
        usageHelpWidth = 100,
        description = {
            "Sends content-download events to Kafka as the StreamPulse producers do: plain Avro"
                    + " binary, key = region (or, with --encoding single-object, as an upgraded"
                    + " producer does).",
            "Kafka settings come from the job's environment variables (KAFKA_BOOTSTRAP_SERVERS,"
                    + " KAFKA_TOPIC, KAFKA_USERNAME, KAFKA_PASSWORD, KAFKA_SECURITY_PROTOCOL,"
                    + " KAFKA_SASL_MECHANISM); the --kafka-* flags override them.",
        },
        footer = {
            "",
            "Examples:",
            "  streampulse-generator --rate 200 --duration 5m --degrade EU-Paris --degrade-after"
                    + " 1m",
            "  streampulse-generator --count 10000 --seed 42 --start-time 2026-01-01T00:00:00Z"
                    + " --dump run.jsonl --dry-run",
            "  streampulse-generator --replay run.jsonl --rate 0",
            "  streampulse-generator --encoding single-object --schema-version 2 --rate 100",
        })
public final class GeneratorMain implements Callable<Integer> {

    @Option(
            names = "--rate",
            defaultValue = "200",
            description =
                    "Events per second; 0 sends as fast as possible. Default: ${DEFAULT-VALUE}")
    double rate;

    @Option(
            names = {"-n", "--count"},
            description = "Stop after this many records (default: no limit).")
    long count;

    @Option(
            names = {"-d", "--duration"},
            converter = DurationConverter.class,
            description = "Stop after this long, e.g. 90s, 5m (default: no limit; Ctrl-C stops).")
    Duration duration;

    @Option(
            names = "--seed",
            description = "Random seed: the same seed and start time give the same events.")
    Long seed;

    @Option(
            names = "--start-time",
            description = "Event time of the first event, ISO-8601 (default: now).")
    String startTime;

    @Option(
            names = "--shape",
            defaultValue = "tiny",
            paramLabel = "SHAPE",
            description =
                    "tiny: the original 4 titles, 9 regions, 6 devices; catalog: 100,000 content"
                        + " ids (Zipf 1.1), 50 regions, 200 device/OS pairs, 1 M users, with 1%%"
                        + " malformed, 1%% invalid, 0.5%% late within the lateness and 0.1%% beyond"
                        + " it unless those flags are given; wide: a new content id per event."
                        + " Default: ${DEFAULT-VALUE}")
    String shape;

    @Option(
            names = "--degrade",
            paramLabel = "REGION",
            description = "Region that turns bad: 40%% failures, 2-8 Mbps (repeatable).")
    List<String> degrade = new ArrayList<>();

    @Option(
            names = "--degrade-after",
            converter = DurationConverter.class,
            defaultValue = "0s",
            description =
                    "Event time after the start when --degrade begins. Default: ${DEFAULT-VALUE}")
    Duration degradeAfter;

    @Option(
            names = "--demo",
            description =
                    "Demo traffic for trending, anomalies and sessions: a new title surges after"
                            + " 2 min, ASIA-Mumbai's speed drifts down 3%% a minute from 4 min, 40"
                            + " regular users download for 1 min then pause for 3 (as make run).")
    boolean demo;

    @Option(
            names = "--out-of-order",
            arity = "0..1",
            fallbackValue = "5s",
            converter = DurationConverter.class,
            paramLabel = "MAX",
            description = "Stamp events up to MAX earlier at random (default MAX: 5s).")
    Duration outOfOrder;

    @Option(
            names = "--late-fraction",
            defaultValue = "0",
            description = "Share of events stamped --late-by in the past (0-1).")
    double lateFraction;

    @Option(
            names = "--late-by",
            converter = DurationConverter.class,
            defaultValue = "10m",
            description = "How late --late-fraction events are. Default: ${DEFAULT-VALUE}")
    Duration lateBy;

    @Option(
            names = "--malformed-fraction",
            defaultValue = "0",
            description = "Share of records that are not valid Avro (0-1).")
    double malformedFraction;

    @Option(
            names = "--invalid-fraction",
            defaultValue = "0",
            description = "Share of events that decode but are invalid (0-1).")
    double invalidFraction;

    @Option(
            names = "--encoding",
            defaultValue = "plain",
            paramLabel = "FORMAT",
            description =
                    "plain: Avro binary of schema version 1 without a header, as the original"
                            + " producers send; single-object: Avro single-object encoding (C3 01 +"
                            + " the writer schema's fingerprint) of --schema-version, as an"
                            + " upgraded producer sends. Default: ${DEFAULT-VALUE}")
    String encoding;

    @Option(
            names = "--schema-version",
            paramLabel = "N",
            description =
                    "Schema version (schemas/versions/vN.avsc) that --encoding single-object"
                            + " writes. Default: the newest.")
    Integer schemaVersion;

    @Option(
            names = "--replay",
            paramLabel = "FILE",
            description = "Send the records of a JSON-lines file instead of random ones.")
    Path replay;

    @Option(
            names = "--dump",
            paramLabel = "FILE",
            description = "Also write every record sent to FILE (JSON lines, --replay reads it).")
    Path dump;

    @Option(names = "--dry-run", description = "Do not connect to Kafka (use with --dump).")
    boolean dryRun;

    @Option(names = "--create-topic", description = "Create the topic when it is missing.")
    boolean createTopic;

    @Option(
            names = "--partitions",
            defaultValue = "4",
            description = "Partitions for --create-topic. Default: ${DEFAULT-VALUE}")
    int partitions;

    @Option(
            names = "--progress-every",
            converter = DurationConverter.class,
            defaultValue = "10s",
            description = "Progress line interval. Default: ${DEFAULT-VALUE}")
    Duration progressEvery;

    @Option(
            names = "--connect-timeout",
            converter = DurationConverter.class,
            defaultValue = "10s",
            description = "How long to wait for the broker. Default: ${DEFAULT-VALUE}")
    Duration connectTimeout;

    @Option(names = "--kafka-bootstrap-servers", description = "Default: localhost:9092")
    String bootstrapServers;

    @Option(names = "--kafka-topic", description = "Default: content-downloads")
    String topic;

    @Option(names = "--kafka-username", description = "SASL user (then SASL_SSL, SCRAM-SHA-256).")
    String username;

    @Option(names = "--kafka-password", description = "SASL password (prefer KAFKA_PASSWORD).")
    String password;

    @Option(
            names = "--kafka-security-protocol",
            description = "PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL.")
    String securityProtocol;

    @Option(names = "--kafka-sasl-mechanism", description = "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512.")
    String saslMechanism;

    private final Map<String, String> environment;
    private final PrintStream out;
    private volatile Generator running;

    GeneratorMain(Map<String, String> environment, PrintStream out) {
        this.environment = environment;
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), args));
    }

    /** Runs the command; returns the exit code (2: bad options, 1: runtime failure). */
    static int run(Map<String, String> environment, String[] args) {
        CommandLine cli = new CommandLine(new GeneratorMain(environment, System.out));
        cli.setParameterExceptionHandler(
                (e, args2) -> {
                    e.getCommandLine().getErr().println("❌ " + e.getMessage() + " (see --help)");
                    return 2;
                });
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    String message =
                            e instanceof GeneratorException || e instanceof ConfigException
                                    ? e.getMessage()
                                    : e.toString();
                    commandLine.getErr().println("❌ " + message);
                    return e instanceof ConfigException ? 2 : 1;
                });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        validate();
        KafkaSettings kafka = kafkaSettings();
        long actualSeed = seed != null ? seed : new java.util.Random().nextLong();
        SyntheticOptions options = replay == null ? syntheticOptions(actualSeed) : null;
        AvroCodec codec = codec();
        List<RecordSink> sinks = new ArrayList<>();
        ReplaySource replaySource = null;
        try {
            if (!dryRun) {
                sinks.add(KafkaSink.open(kafka, connectTimeout, createTopic ? partitions : 0));
            }
            if (dump != null) {
                sinks.add(new DumpSink(dump));
            }
            Iterator<Outgoing> source;
            if (replay != null) {
                replaySource = new ReplaySource(replay, codec);
                source = replaySource;
                out.println("▶️  Replaying " + replay + wireFormat(codec));
            } else {
                source = new SyntheticSource(options, codec);
                out.println(describe(options) + wireFormat(codec));
            }
            Generator generator =
                    new Generator(source, sinks, rate, count, duration, progressEvery, out);
            running = generator;
            CountDownLatch done = new CountDownLatch(1);
            Thread stopOnCtrlC =
                    new Thread(
                            () -> {
                                generator.stop();
                                awaitQuietly(done);
                            },
                            "generator-shutdown");
            Runtime.getRuntime().addShutdownHook(stopOnCtrlC);
            try {
                Generator.Summary summary = generator.run();
                out.println("✅ Sent " + summary.describe());
            } finally {
                done.countDown();
            }
            return 0;
        } finally {
            for (RecordSink sink : sinks) {
                sink.close();
            }
            if (replaySource != null) {
                replaySource.close();
            }
        }
    }

    private static void awaitQuietly(CountDownLatch done) {
        try {
            done.await(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void validate() {
        CommandLine cli = new CommandLine(this);
        if (rate < 0 || Double.isNaN(rate)) {
            throw new ParameterException(cli, "--rate must be 0 or more, got " + rate);
        }
        if (count < 0) {
            throw new ParameterException(cli, "--count must be 0 or more, got " + count);
        }
        if (replay != null && (seed != null || !degrade.isEmpty() || malformedFraction > 0)) {
            throw new ParameterException(
                    cli,
                    "--replay sends a file as it is: --seed, --degrade and fractions don't apply");
        }
        if (dryRun && dump == null) {
            throw new ParameterException(cli, "--dry-run sends nothing: add --dump FILE");
        }
        if (partitions < 1) {
            throw new ParameterException(cli, "--partitions must be at least 1");
        }
    }

    /** Named on the start line only when it is not the default, whose output stays as it was. */
    private static String wireFormat(AvroCodec codec) {
        return codec.isPlain() ? "" : ", as " + codec.describe();
    }

    private AvroCodec codec() {
        CommandLine cli = new CommandLine(this);
        switch (encoding) {
            case "plain" -> {
                if (schemaVersion != null && schemaVersion != SchemaVersions.ORIGINAL) {
                    throw new ParameterException(
                            cli,
                            "--schema-version "
                                    + schemaVersion
                                    + " needs --encoding single-object: plain binary carries no"
                                    + " schema identity and is always version "
                                    + SchemaVersions.ORIGINAL);
                }
                return new AvroCodec();
            }
            case "single-object" -> {
                int version = schemaVersion != null ? schemaVersion : SchemaVersions.all().size();
                try {
                    return AvroCodec.singleObject(version);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(cli, "--schema-version: " + e.getMessage());
                }
            }
            default ->
                    throw new ParameterException(
                            cli,
                            "--encoding must be plain or single-object, got '" + encoding + "'");
        }
    }

    private SyntheticOptions syntheticOptions(long actualSeed) {
        Instant start;
        try {
            start = startTime == null ? Instant.now() : Instant.parse(startTime);
        } catch (DateTimeParseException e) {
            throw new ParameterException(
                    new CommandLine(this),
                    "--start-time must be ISO-8601 like 2026-01-01T00:00:00Z, got '"
                            + startTime
                            + "'");
        }
        try {
            WorkloadShape workload = WorkloadShape.parse(shape);
            SyntheticOptions shaped = workload.options(actualSeed, start, rate);
            // The shape's dirty mix, unless the flags ask for another.
            boolean mixGiven =
                    lateFraction > 0
                            || malformedFraction > 0
                            || invalidFraction > 0
                            || outOfOrder != null;
            SyntheticOptions flags =
                    new SyntheticOptions(
                            actualSeed,
                            start,
                            rate,
                            degrade,
                            degradeAfter,
                            outOfOrder == null ? Duration.ZERO : outOfOrder,
                            lateFraction,
                            lateBy,
                            malformedFraction,
                            invalidFraction);
            SyntheticOptions chosen =
                    mixGiven
                            ? flags.withShape(workload)
                            : shaped.withDegraded(degrade, degradeAfter);
            return demo ? chosen.withDemo(DemoTraffic.DEFAULTS) : chosen;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(new CommandLine(this), e.getMessage());
        }
    }

    private String describe(SyntheticOptions o) {
        StringBuilder s = new StringBuilder("🎲 Generating");
        s.append(rate > 0 ? String.format(" %,.0f events/s", rate) : " as fast as possible");
        s.append(", shape ").append(o.shape().label()).append(" (").append(o.shape().keyCounts());
        s.append("), seed ").append(o.seed()).append(", start ").append(o.start());
        if (!o.degradedRegions().isEmpty()) {
            s.append(", degrading ")
                    .append(String.join(", ", o.degradedRegions()))
                    .append(" after ")
                    .append(o.degradeAfter().toSeconds())
                    .append(" s");
        }
        if (o.demo() != null) {
            s.append(", demo traffic: ").append(o.demo().describe());
        }
        if (!o.outOfOrder().isZero()) {
            s.append(", out of order up to ").append(o.outOfOrder().toMillis()).append(" ms");
        }
        if (o.lateFraction() > 0) {
            s.append(", late ").append(o.lateFraction());
        }
        if (o.lateWithinFraction() > 0) {
            s.append(", late within the lateness ").append(o.lateWithinFraction());
        }
        if (o.malformedFraction() > 0) {
            s.append(", malformed ").append(o.malformedFraction());
        }
        if (o.invalidFraction() > 0) {
            s.append(", invalid ").append(o.invalidFraction());
        }
        return s.toString();
    }

    /** The job's Kafka settings: environment first, then the --kafka-* flags. */
    KafkaSettings kafkaSettings() {
        Map<String, String> values = new HashMap<>(environment);
        values.putIfAbsent("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        putIfSet(values, "KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        putIfSet(values, "KAFKA_TOPIC", topic);
        putIfSet(values, "KAFKA_USERNAME", username);
        putIfSet(values, "KAFKA_PASSWORD", password);
        putIfSet(values, "KAFKA_SECURITY_PROTOCOL", securityProtocol);
        putIfSet(values, "KAFKA_SASL_MECHANISM", saslMechanism);
        return KafkaSettings.from(Settings.of(values, new String[0]));
    }

    private static void putIfSet(Map<String, String> values, String name, String value) {
        if (value != null) {
            values.put(name, value);
        }
    }

    /** The running generator, for tests that stop it. */
    Generator running() {
        return running;
    }
}
