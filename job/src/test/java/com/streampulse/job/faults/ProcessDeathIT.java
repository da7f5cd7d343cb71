package com.streampulse.job.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.ResultSinks;
import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.it.Pipeline;
import com.streampulse.job.it.RandomTraffic;
import com.streampulse.job.it.Sent;
import com.streampulse.job.it.TestEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real process faults on a Flink session cluster of separate JVMs started from the test's classpath
 * ({@link ProcessCluster}: a JobManager, TaskManagers with one slot each, the job at parallelism 2
 * across two of them): a TaskManager killed with SIGKILL, a TaskManager frozen with SIGSTOP past
 * the heartbeat timeout and resumed after its replacement has finished the job, and the JobManager
 * killed with SIGKILL under ZooKeeper high availability. The tables must end exactly as a
 * failure-free run computes them.
 */
class ProcessDeathIT {

    private static final int RECORDS = 2_000;
    private static final int PARALLELISM = 2;

    /** Fast failure detection, so a lost TaskManager or JobManager is noticed within seconds. */
    private static final List<String> HEARTBEATS =
            List.of("heartbeat.interval: 1000", "heartbeat.timeout: 5000");

    /**
     * 8 ms a record: the subtask that reads two of the three partitions needs about 11 s for them,
     * so the kill lands mid-stream even when checkpoints complete only every few seconds on a busy
     * machine (at 2.5 ms a record the whole topic was once committed before a kill).
     */
    private static final String SLOW = "-Dfaults.pace.micros=8000";

    /**
     * How the keys of the SIGSTOP case's late events begin: they update the first minute's rows
     * long after that window first fired.
     */
    private static final String LATE = "late-";

    private static Pipeline pipeline;
    private Admin admin;

    @BeforeAll
    static void start() {
        pipeline = new Pipeline();
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    @BeforeEach
    void admin() {
        admin = Admin.create(pipeline.kafka().clientProperties());
    }

    @AfterEach
    void closeAdmin() {
        admin.close();
    }

    @Test
    void sigkillOfATaskManagerProcessChangesNoResult() throws Exception {
        String topic = pipeline.reset();
        List<Sent> sent = pipeline.send(RandomTraffic.records(new Random(71), RECORDS));
        Path work = Files.createTempDirectory("process-death");
        JobConfig config = FaultRun.config(pipeline, work.resolve("checkpoints"));
        int restPort = ProcessCluster.freePort();

        try (ProcessCluster cluster = new ProcessCluster(work, HEARTBEATS)) {
            cluster.startJobManager("jobmanager", restPort);
            Process victim = cluster.startTaskManager("taskmanager-1", SLOW);
            cluster.startTaskManager("taskmanager-2", SLOW);
            JobClient job = submit(restPort, config, true, pipeline.sinks(config));

            // Offsets are committed to Kafka when a checkpoint completes: a third of them
            // committed means checkpoints with progress exist and results have been written since.
            assertThat(awaitCommitted(config, RECORDS / 3)).as("a third checkpointed").isTrue();
            long committedAtKill = committed(config);
            long killedAt = System.nanoTime();
            victim.destroyForcibly(); // SIGKILL
            assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
            cluster.startTaskManager("taskmanager-3", SLOW);

            job.getJobExecutionResult().get(ProcessCluster.STARTUP.toSeconds(), TimeUnit.SECONDS);
            System.out.printf(
                    "TaskManager SIGKILL: %d of %d offsets committed at the kill, job finished %d"
                            + " ms after it%n",
                    committedAtKill, RECORDS, millisSince(killedAt));
            assertThat(victim.exitValue()).as("killed by SIGKILL").isEqualTo(137);
            assertThat(committedAtKill).as("killed mid-stream").isLessThan(RECORDS);
            assertThat(pipeline.snapshot().toString())
                    .as("TaskManager process killed with SIGKILL, topic %s", topic)
                    .isEqualTo(RandomTraffic.expected(config, sent).toString());
        }
    }

    /**
     * A zombie TaskManager. The first TaskManager freezes (SIGSTOP) just before its sink writes the
     * first row of a window that late events keep updating ({@link FreezingSink}); its JDBC batch
     * and flush timer stay as they are. After the heartbeat timeout the job fails over to a
     * replacement TaskManager, replays from the last checkpoint, writes the window's later and
     * final values and finishes. Only then is the frozen one resumed (SIGCONT): its flush timer
     * runs, its tasks learn that their JobManager is gone and close, flushing their batches. The
     * tables must still end exact.
     */
    @Test
    void frozenTaskManagerResumedAfterItsReplacementFinishedChangesNoResult() throws Exception {
        String topic = pipeline.reset();
        WriteLog log = WriteLog.install(pipeline.db().dataSource());
        List<Sent> sent =
                pipeline.send(withLateEvents(RandomTraffic.records(new Random(72), RECORDS)));
        Path work = Files.createTempDirectory("zombie");
        JobConfig config = FaultRun.config(pipeline, work.resolve("checkpoints"));
        String expected = RandomTraffic.expected(config, sent).toString();
        Path note = work.resolve("frozen-before.txt");
        int restPort = ProcessCluster.freePort();

        try (ProcessCluster cluster = new ProcessCluster(work, HEARTBEATS)) {
            cluster.startJobManager("jobmanager", restPort);
            Process zombie =
                    cluster.startTaskManager(
                            "taskmanager-1",
                            "-D" + FreezingSink.ARMED + "=true",
                            "-D" + FreezingSink.NOTE + "=" + note);
            cluster.startTaskManager("taskmanager-2");
            JobClient job = submit(restPort, config, true, freezingOnLateRows(config));

            assertThat(
                            FaultRun.await(
                                    () -> ProcessCluster.isFrozen(zombie), ProcessCluster.STARTUP))
                    .as("the first TaskManager froze before a late row")
                    .isTrue();
            long frozenAt = System.nanoTime();
            cluster.startTaskManager("taskmanager-3");
            job.getJobExecutionResult().get(ProcessCluster.STARTUP.toSeconds(), TimeUnit.SECONDS);
            assertThat(pipeline.snapshot().toString())
                    .as("the replacement's tables, before the zombie resumes")
                    .isEqualTo(expected);

            long beforeResume = log.mark();
            long zombieSessions = log.otherSessions();
            assertThat(zombieSessions).as("the frozen sinks' connections").isPositive();
            ProcessCluster.resume(zombie);
            long pausedMillis = millisSince(frozenAt);
            // Its sinks close their connections after their last flush.
            assertThat(FaultRun.await(() -> otherSessions(log) == 0, FaultRun.TIMEOUT))
                    .as("the resumed TaskManager closed its sinks")
                    .isTrue();

            WriteLog.Writes replay = log.between(0, beforeResume);
            WriteLog.Writes zombieWrites = log.between(beforeResume, log.mark());
            String report =
                    String.format(
                            "topic %s; frozen %d ms before writing %s; while the replacement"
                                    + " ran: %s; after SIGCONT (zombie, %d sessions): %s %s",
                            topic,
                            pausedMillis,
                            Files.readString(note),
                            replay,
                            zombieSessions,
                            zombieWrites,
                            log.attemptsAfter(beforeResume));
            System.out.println("Zombie TaskManager: " + report);
            assertThat(zombieWrites.attempts()).as("the zombie wrote: %s", report).isPositive();
            assertThat(pipeline.snapshot().toString()).as(report).isEqualTo(expected);
        } finally {
            log.uninstall();
        }
    }

    /**
     * JobManager death under ZooKeeper high availability. A test ZooKeeper server in this JVM; the
     * cluster keeps its job graph, checkpoint pointers and leader in it (data under {@code
     * target/}). Mid-stream the JobManager process is killed with SIGKILL and a new one started; it
     * wins the leadership once the old one's ZooKeeper session expires, recovers the job from the
     * HA store and restores the latest completed checkpoint. The source is unbounded (a restored
     * bounded Kafka source never finishes, FLINK-31006), so sentinels an hour later close the test
     * windows.
     */
    @Test
    void sigkillOfTheJobManagerUnderZooKeeperHaResumesFromTheLatestCheckpoint() throws Exception {
        String topic = pipeline.reset();
        List<Sent> sent = pipeline.send(RandomTraffic.records(new Random(73), RECORDS));
        pipeline.send(FaultRun.sentinels());
        Path work = Files.createTempDirectory("jobmanager-death");
        JobConfig config = FaultRun.config(pipeline, work.resolve("checkpoints"));
        String expected = RandomTraffic.expected(config, sent).toString();
        int firstRest = ProcessCluster.freePort();
        int secondRest = ProcessCluster.freePort();

        // Tick 500 ms, so ZooKeeper grants the short session timeout below (2 to 20 ticks).
        InstanceSpec spec =
                new InstanceSpec(work.resolve("zookeeper").toFile(), -1, -1, -1, true, -1, 500, -1);
        List<String> settings = new ArrayList<>(HEARTBEATS);
        try (TestingServer zookeeper = new TestingServer(spec, true)) {
            settings.addAll(
                    List.of(
                            "high-availability.type: zookeeper",
                            "high-availability.zookeeper.quorum: " + zookeeper.getConnectString(),
                            "high-availability.storageDir: " + work.resolve("ha").toUri(),
                            "high-availability.cluster-id: /process-death",
                            // How long a dead JobManager keeps the leadership; the most
                            // ZooKeeper grants at this tick, and enough for a JVM starved of CPU
                            // on a busy machine to keep its session.
                            "high-availability.zookeeper.client.session-timeout: 10000",
                            "high-availability.zookeeper.client.connection-timeout: 10000",
                            "zookeeper.sasl.disable: true"));
            try (ProcessCluster cluster = new ProcessCluster(work, settings)) {
                Process first = cluster.startJobManager("jobmanager-1", firstRest);
                cluster.startTaskManager("taskmanager-1", SLOW);
                cluster.startTaskManager("taskmanager-2", SLOW);
                JobClient job = submit(firstRest, config, false, pipeline.sinks(config));
                JobID id = job.getJobID();

                assertThat(awaitCommitted(config, RECORDS / 4))
                        .as("a quarter checkpointed")
                        .isTrue();
                long completedBeforeKill =
                        checkpoints(firstRest, id, "/latest/completed").path("id").asLong();
                long committedAtKill = committed(config);
                long killedAt = System.nanoTime();
                first.destroyForcibly(); // SIGKILL
                assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
                cluster.startJobManager("jobmanager-2", secondRest);

                JsonNode restored = checkpoints(secondRest, id, "/latest/restored");
                long restoredAfter = millisSince(killedAt);
                String tables =
                        pipeline.awaitTables(s -> s.toString().equals(expected), FaultRun.TIMEOUT)
                                .toString();
                System.out.printf(
                        "JobManager SIGKILL: %d of %d offsets committed and checkpoint %d"
                                + " complete at the kill; the new JobManager restored checkpoint"
                                + " %d %d ms after it, tables read %d ms after it%n",
                        committedAtKill,
                        RECORDS,
                        completedBeforeKill,
                        restored.path("id").asLong(),
                        restoredAfter,
                        millisSince(killedAt));
                assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);
                assertThat(committedAtKill).as("killed mid-stream").isLessThan(RECORDS);
                assertThat(restored.path("is_savepoint").asBoolean(true))
                        .as("restored from a checkpoint: %s", restored)
                        .isFalse();
                assertThat(restored.path("id").asLong())
                        .as("restored the latest checkpoint: %s", restored)
                        .isGreaterThanOrEqualTo(completedBeforeKill)
                        .isPositive();
                assertThat(tables)
                        .as("JobManager killed with SIGKILL under ZooKeeper HA, topic %s", topic)
                        .isEqualTo(expected);
            }
        }
    }

    /** The job at parallelism 2 on the cluster behind {@code restPort}, restarting quickly. */
    private static JobClient submit(
            int restPort, JobConfig config, boolean bounded, ResultSinks sinks) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment("localhost", restPort);
        env.setParallelism(PARALLELISM);
        StreamPulseJob.configure(env, config);
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 100);
        restarts.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        env.configure(restarts);
        var source =
                StreamPulseJob.kafkaSourceBuilder(config.kafka())
                        .setDeserializer(new FaultyDeserializer());
        if (bounded) {
            source.setBounded(OffsetsInitializer.latest());
        }
        new StreamPulseJob(config, source.build(), sinks).build(env);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("process-death");
        return ProcessCluster.submitWhenUp(env, graph);
    }

    /**
     * The production sinks; the stats sinks of a TaskManager armed with {@link FreezingSink#ARMED}
     * freeze it before the first row of a late key.
     */
    private static ResultSinks freezingOnLateRows(JobConfig config) {
        ResultSinks sinks = pipeline.sinks(config);
        return new ResultSinks(
                new FreezingSink<>(sinks.contentStats(), r -> r.contentId().startsWith(LATE)),
                new FreezingSink<>(sinks.regionHealth(), r -> r.region().startsWith(LATE)),
                new FreezingSink<>(sinks.deviceStats(), r -> r.device().startsWith(LATE)),
                sinks.alerts(),
                sinks.rejectedEvents(),
                sinks.droppedPartials());
    }

    /**
     * The traffic with late events: from record 800 on (event time past 80 s), every fourth record
     * is followed by one event in the first minute, long closed but within the allowed lateness. So
     * the first minute's rows of the late keys are rewritten with a higher count again and again
     * while the test runs; their final count is only reached at the end. The late keys are new (no
     * alert can fire on them: all succeed, fast) and, per dimension, one lands on each window
     * subtask, so whichever TaskManager freezes holds some of them.
     */
    private static List<TestEvent> withLateEvents(List<TestEvent> traffic) {
        String[] contents = keysForEachSubtask(LATE + "content-", "");
        String[] regions = keysForEachSubtask(LATE + "region-", "");
        String[] devices = keysForEachSubtask(LATE + "device-", "\u0000late-os");
        List<TestEvent> records = new ArrayList<>();
        int late = 0;
        for (int i = 0; i < traffic.size(); i++) {
            records.add(traffic.get(i));
            if (i >= 800 && i % 4 == 0) {
                records.add(
                        TestEvent.at(RandomTraffic.T0.plusSeconds(late % 55))
                                .content(contents[late % 2], "Late " + late % 2, 700)
                                .region(regions[(late / 2) % 2])
                                .device(devices[(late / 4) % 2], "late-os")
                                .to(late % Pipeline.PARTITIONS));
                late++;
            }
        }
        return records;
    }

    /**
     * Two keys {@code prefix + n}, the first owned by window subtask 0 and the second by subtask 1
     * at the job's parallelism; {@code suffix} is what the window's key adds to the name.
     */
    private static String[] keysForEachSubtask(String prefix, String suffix) {
        String[] keys = new String[PARALLELISM];
        for (int n = 0; keys[0] == null || keys[1] == null; n++) {
            int subtask =
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            prefix + n + suffix, StreamPulseJob.MAX_PARALLELISM, PARALLELISM);
            if (keys[subtask] == null) {
                keys[subtask] = prefix + n;
            }
        }
        return keys;
    }

    /**
     * A part of the checkpoint statistics of job {@code id} from the REST API, e.g. {@code
     * /latest/restored}, polled until that JobManager has it.
     */
    private static JsonNode checkpoints(int restPort, JobID id, String part) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request =
                HttpRequest.newBuilder(
                                URI.create(
                                        "http://localhost:"
                                                + restPort
                                                + "/jobs/"
                                                + id
                                                + "/checkpoints"))
                        .timeout(Duration.ofSeconds(5))
                        .build();
        long deadline = System.nanoTime() + ProcessCluster.STARTUP.toNanos();
        while (true) {
            try {
                HttpResponse<String> response =
                        http.send(request, HttpResponse.BodyHandlers.ofString());
                JsonNode found = new ObjectMapper().readTree(response.body()).at(part);
                if (response.statusCode() == 200 && found.isObject()) {
                    return found;
                }
            } catch (IOException e) {
                // Not up yet: a JobManager that is starting refuses connections.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("No " + part + " checkpoint for job " + id);
            }
            Thread.sleep(500);
        }
    }

    private boolean awaitCommitted(JobConfig config, long records) throws InterruptedException {
        return FaultRun.await(() -> committed(config) >= records, ProcessCluster.STARTUP);
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }

    /** Offsets the job's consumer group has committed (0 before its first checkpoint). */
    private long committed(JobConfig config) {
        try {
            Map<?, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(config.kafka().groupId())
                            .partitionsToOffsetAndMetadata()
                            .get(10, TimeUnit.SECONDS);
            return offsets.values().stream()
                    .filter(Objects::nonNull)
                    .mapToLong(OffsetAndMetadata::offset)
                    .sum();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Could not read the committed offsets", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted reading the committed offsets", e);
        }
    }

    private static long otherSessions(WriteLog log) {
        try {
            return log.otherSessions();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("Could not count the database sessions", e);
        }
    }
}
