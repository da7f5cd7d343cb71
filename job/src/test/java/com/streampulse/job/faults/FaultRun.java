package com.streampulse.job.faults;

import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.it.Oracle;
import com.streampulse.job.it.Pipeline;
import com.streampulse.job.it.RandomTraffic;
import com.streampulse.job.it.TestEvent;
import com.streampulse.job.records.Ingested;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * One fault case's fixed events, the tables they must give, and the job that reads them.
 *
 * <p>Every record is in Kafka before the job starts and the source is bounded at the end offsets:
 * each window then fires once with all its events (at the latest when the input ends), so the
 * {@link Oracle} with a single phase gives the exact expected tables, whatever the fault in
 * between. Idleness is short (3 s): it is Kafka's answer that nothing is unread, not a long
 * timeout, that keeps a fault from letting event time run ahead of a stalled partition.
 */
final class FaultRun {

    static final Duration TIMEOUT = Duration.ofSeconds(120);

    private FaultRun() {}

    /** The test configuration, with checkpoints kept under {@code checkpoints}. */
    static JobConfig config(Pipeline pipeline, Path checkpoints) {
        return config(pipeline, checkpoints, "300ms");
    }

    /** The same with another checkpoint interval. */
    static JobConfig config(Pipeline pipeline, Path checkpoints, String checkpointInterval) {
        return configWith(pipeline, checkpoints, "--checkpoint-interval=" + checkpointInterval);
    }

    /** The same with more flags on top (for example to reach PostgreSQL through a proxy). */
    static JobConfig configWith(Pipeline pipeline, Path checkpoints, String... flags) {
        List<String> all = new ArrayList<>();
        all.add("--idleness=3s");
        all.add("--checkpoint-interval=300ms");
        all.add("--checkpoint-dir=" + checkpoints.toUri());
        all.addAll(List.of(flags));
        return pipeline.config(all.toArray(String[]::new));
    }

    /**
     * One valid event per partition an hour after the test events, sent just before a restored job
     * starts. It moves every partition's event time past all test windows, so an unbounded job
     * fires them all without waiting for the idle clock; and it gives every partition a new record,
     * without which a partition read to its end before the restore would hold event time back until
     * idleness (Flink does not checkpoint watermarks). Its own windows never fire while the test
     * runs, so it lands in no table.
     */
    static List<TestEvent> sentinels() {
        List<TestEvent> sentinels = new ArrayList<>();
        for (int p = 0; p < Pipeline.PARTITIONS; p++) {
            sentinels.add(
                    TestEvent.at(RandomTraffic.T0.plus(Duration.ofHours(1)))
                            .region("SENTINEL")
                            .to(p));
        }
        return sentinels;
    }

    /** The bounded job: it finishes when the input ends and every window has fired. */
    static JobClient submit(
            Pipeline pipeline, JobConfig config, int parallelism, String restoreFrom)
            throws Exception {
        return submit(pipeline, config, parallelism, restoreFrom, true);
    }

    /**
     * Submits the job with the production source read through {@link FaultyDeserializer},
     * optionally restored from a checkpoint or savepoint. A bounded source cannot be restored in
     * connector 3.4.0: the restored enumerator never tells the readers that no more splits come
     * (FLINK-31006), so the job never finishes; restored jobs therefore run unbounded.
     */
    static JobClient submit(
            Pipeline pipeline,
            JobConfig config,
            int parallelism,
            String restoreFrom,
            boolean bounded)
            throws Exception {
        return submit(pipeline, config, parallelism, restoreFrom, bounded, source -> {});
    }

    /** As above, with changes to the Kafka source (for example smaller fetches). */
    static JobClient submit(
            Pipeline pipeline,
            JobConfig config,
            int parallelism,
            String restoreFrom,
            boolean bounded,
            Consumer<KafkaSourceBuilder<Ingested>> customize)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        StreamPulseJob.configure(env, config);
        env.configure(restarts());
        var builder =
                StreamPulseJob.kafkaSourceBuilder(config.kafka())
                        .setDeserializer(new FaultyDeserializer());
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        customize.accept(builder);
        var source = builder.build();
        new StreamPulseJob(config, source, pipeline.sinks(config)).build(env);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("faults");
        if (restoreFrom != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restoreFrom, false));
        }
        return env.executeAsync(graph);
    }

    /**
     * Restarts often and quickly: several planned faults per run, and a database that refuses
     * connections for 20 s fails every attempt in between.
     */
    private static Configuration restarts() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 100);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        return conf;
    }

    /**
     * The newest completed checkpoint (a {@code chk-N} directory with metadata) under {@code root}.
     */
    static Optional<Path> latestCheckpoint(Path root) {
        while (true) {
            try (Stream<Path> files = Files.walk(root)) {
                return files.filter(p -> p.getFileName().toString().equals("_metadata"))
                        .map(Path::getParent)
                        .filter(p -> p.getFileName().toString().startsWith("chk-"))
                        .max(Comparator.comparingLong(FaultRun::checkpointNumber));
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof NoSuchFileException)) {
                    throw e;
                }
                // Flink subsumed and deleted a checkpoint while we walked: look again.
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static long checkpointNumber(Path chk) {
        return Long.parseLong(chk.getFileName().toString().substring("chk-".length()));
    }

    /**
     * True once {@link FaultyDeserializer} has read no record for {@code quiet}; false after {@code
     * timeout}.
     */
    static boolean awaitStall(Duration quiet, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        long last = FaultyDeserializer.read();
        Instant lastChange = Instant.now();
        while (Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            long now = FaultyDeserializer.read();
            if (now != last) {
                last = now;
                lastChange = Instant.now();
            } else if (Duration.between(lastChange, Instant.now()).compareTo(quiet) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Polls until {@code done} or the timeout; false on timeout. */
    static boolean await(java.util.function.BooleanSupplier done, Duration timeout)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }
}
