package com.streampulse.job.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.config.JobConfig;
import com.streampulse.job.it.FeatureOracle;
import com.streampulse.job.it.Pipeline;
import com.streampulse.job.it.RandomTraffic;
import com.streampulse.job.it.Sent;
import com.streampulse.job.it.TableSnapshot;
import com.streampulse.job.it.TestEvent;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fault matrix: each case runs a fixed set of events through the real job (production Kafka
 * source, production JDBC sinks, RocksDB, checkpoints), injects one kind of fault mid-run, and
 * asserts that every table ends exactly as a failure-free run computes it: no count lost, none
 * doubled, every rejected record present once.
 *
 * <p>Two TaskManagers with one slot each, so a job at parallelism 2 runs on both and losing either
 * one hits it.
 */
class FaultMatrixIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    private static final int RECORDS = 2_000;

    /** About 3 s per pass at parallelism 2: several checkpoint intervals (300 ms) long. */
    private static final int PACE_MICROS = 2_500;

    private static Pipeline pipeline;

    /**
     * Under target/tmp and not deleted by the test: a cancelled job's checkpoint cleanup may still
     * be running when the test ends, and a {@code @TempDir} would then fail to delete it.
     */
    private Path checkpoints;

    @BeforeAll
    static void start() {
        pipeline = new Pipeline();
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    private final List<JobClient> jobs = new ArrayList<>();

    @BeforeEach
    void freshTopicAndTables() throws Exception {
        pipeline.reset();
        checkpoints = Files.createTempDirectory("faults-checkpoints");
    }

    /** A job that outlives its test would hold the cluster's slots from every later one. */
    @AfterEach
    void cancelLeftoverJobs() throws Exception {
        for (JobClient job : jobs) {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
            FaultRun.await(
                    () -> job.getJobStatus().join().isGloballyTerminalState(), FaultRun.TIMEOUT);
        }
    }

    private JobClient track(JobClient job) {
        jobs.add(job);
        return job;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void taskFailuresAtRandomPointsChangeNoResult(long seed) throws Exception {
        Random random = new Random(seed);
        List<Sent> sent = pipeline.send(RandomTraffic.records(random, RECORDS));
        TreeSet<Long> failAt = new TreeSet<>();
        while (failAt.size() < 3) {
            failAt.add(50L + random.nextInt(RECORDS - 50));
        }
        FaultyDeserializer.plan(PACE_MICROS, failAt);
        JobConfig config = FaultRun.config(pipeline, checkpoints);

        JobClient job = track(FaultRun.submit(pipeline, config, 2, null));
        finish(job);

        String context = "seed " + seed + ", failures at records " + failAt;
        assertThat(FaultyDeserializer.fired()).as(context).isEqualTo(3);
        assertTables(config, sent, context);
    }

    /**
     * The adversarial case. The traffic holds late updates (beyond the out-of-orderness, within the
     * lateness) and records beyond the lateness; checkpoints come every 2 s while the sinks flush
     * every second, so rows of a firing reach PostgreSQL well before the checkpoint that covers it;
     * and the failures are planned shortly after late records are read, between their window's
     * firing and the next checkpoint. The replay then sees the late records in a different pattern
     * of firings than the first attempt wrote. Every table must still end as the oracle says,
     * alerts included (less rows the job withdrew, see {@link RandomTraffic#withdrawable}).
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void failuresBetweenAFiringAndTheNextCheckpointWithLateDataChangeNoResult(long seed)
            throws Exception {
        Random random = new Random(seed);
        JobConfig config = FaultRun.config(pipeline, checkpoints, "2s");
        List<TestEvent> records = RandomTraffic.withLateData(random, RECORDS, config);
        List<Sent> sent = pipeline.send(records);
        List<Long> lateUpdates = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            if (RandomTraffic.isLateUpdate(records.get(i))) {
                lateUpdates.add((long) i);
            }
        }
        TreeSet<Long> failAt = new TreeSet<>();
        while (failAt.size() < 3) {
            failAt.add(
                    lateUpdates.get(random.nextInt(lateUpdates.size())) + 20 + random.nextInt(200));
        }
        FaultyDeserializer.plan(PACE_MICROS, failAt);

        JobClient job = track(FaultRun.submit(pipeline, config, 2, null));
        finish(job);

        String context = "seed " + seed + ", failures at records " + failAt;
        assertThat(FaultyDeserializer.fired()).as(context).isEqualTo(3);
        assertThat(lateUpdates).as("the traffic has late updates").hasSizeGreaterThan(30);
        assertTables(config, sent, context);
    }

    /**
     * What the operator's last-state upgrade does: cancel the job, then start a new one from the
     * newest checkpoint it retained on cancel.
     */
    @Test
    void cancelThenRestoreFromRetainedCheckpointChangesNoResult() throws Exception {
        List<Sent> sent = pipeline.send(RandomTraffic.records(new Random(21), RECORDS));
        FaultyDeserializer.plan(PACE_MICROS, List.of());
        JobConfig config = FaultRun.config(pipeline, checkpoints);

        JobClient first = track(FaultRun.submit(pipeline, config, 2, null, false));
        awaitProgress(RECORDS / 2);
        first.cancel().get(30, TimeUnit.SECONDS);
        Path retained = FaultRun.latestCheckpoint(checkpoints).orElseThrow();

        pipeline.send(FaultRun.sentinels());
        FaultyDeserializer.plan(PACE_MICROS, List.of());
        track(FaultRun.submit(pipeline, config, 2, retained.toUri().toString(), false));

        awaitTables(config, sent, "restored from " + retained);
        awaitFeatureTables(config, sent, "restored from " + retained);
        assertThat(FaultyDeserializer.read())
                .as("the new job resumed from %s instead of reading everything again", retained)
                .isLessThan(RECORDS);
    }

    /** What a rescale by the autoscaler does: stop with a savepoint, restore at 2, then at 1. */
    @Test
    void stopWithSavepointAndRescaleOneTwoOneChangesNoResult() throws Exception {
        Path savepoints = Files.createTempDirectory("faults-savepoints");
        List<Sent> sent = pipeline.send(RandomTraffic.records(new Random(31), RECORDS));
        JobConfig config = FaultRun.config(pipeline, checkpoints);
        String savepoint = null;
        int[] parallelisms = {1, 2};
        for (int parallelism : parallelisms) {
            FaultyDeserializer.plan(PACE_MICROS, List.of());
            JobClient job = track(FaultRun.submit(pipeline, config, parallelism, savepoint, false));
            awaitProgress(RECORDS / 4);
            savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    savepoints.toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(60, TimeUnit.SECONDS);
        }
        pipeline.send(FaultRun.sentinels());
        FaultyDeserializer.plan(PACE_MICROS, List.of());
        track(FaultRun.submit(pipeline, config, 1, savepoint, false));

        awaitTables(config, sent, "parallelism 1 -> 2 -> 1, last savepoint " + savepoint);
        awaitFeatureTables(config, sent, "parallelism 1 -> 2 -> 1, last savepoint " + savepoint);
        assertThat(FaultyDeserializer.read()).as("the last job resumed").isLessThan(RECORDS);
    }

    /**
     * A TaskManager dies (its slot and everything in it gone); a replacement joins, as Kubernetes
     * would start a new pod, and the job restarts from its last checkpoint.
     */
    @Test
    void lossOfTaskManagerChangesNoResult(@InjectMiniCluster MiniCluster cluster) throws Exception {
        List<Sent> sent = pipeline.send(RandomTraffic.records(new Random(41), RECORDS));
        FaultyDeserializer.plan(PACE_MICROS, List.of());
        JobConfig config = FaultRun.config(pipeline, checkpoints);

        JobClient job = track(FaultRun.submit(pipeline, config, 2, null));
        awaitProgress(RECORDS / 2);
        assertThat(FaultRun.latestCheckpoint(checkpoints)).as("a checkpoint before").isPresent();
        cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
        cluster.startTaskManager();
        finish(job);

        assertThat(restarted(cluster, job.getJobID())).as("the job restarted").isTrue();
        assertTables(config, sent, "TaskManager 0 terminated");
    }

    /**
     * PostgreSQL refuses every connection for 20 s mid-run (open sessions killed, new ones refused:
     * what a database restart or failover looks like to the job). The sinks fail, the job restarts
     * again and again until the database is back, then finishes from its last checkpoint.
     */
    @Test
    void postgresUnreachableFor20SecondsChangesNoResult(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        List<Sent> sent = pipeline.send(RandomTraffic.records(new Random(51), RECORDS));
        FaultyDeserializer.plan(PACE_MICROS, List.of());
        JobConfig config = FaultRun.config(pipeline, checkpoints);

        JobClient job = track(FaultRun.submit(pipeline, config, 2, null));
        awaitProgress(RECORDS / 3);
        Instant outageEnds = Instant.now().plusSeconds(20);
        try (Connection admin = adminConnection();
                Statement s = admin.createStatement()) {
            s.execute("ALTER DATABASE " + EmbeddedPostgresDb.DATABASE + " ALLOW_CONNECTIONS false");
            s.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            + " WHERE datname = '"
                            + EmbeddedPostgresDb.DATABASE
                            + "' AND pid <> pg_backend_pid()");
            try {
                assertUnreachable(config);
                while (Instant.now().isBefore(outageEnds)) {
                    Thread.sleep(200); // the outage itself, not synchronisation
                }
                assertUnreachable(config);
            } finally {
                s.execute(
                        "ALTER DATABASE "
                                + EmbeddedPostgresDb.DATABASE
                                + " ALLOW_CONNECTIONS true");
            }
        }
        finish(job);

        assertThat(restarted(cluster, job.getJobID())).as("the job restarted").isTrue();
        assertTables(config, sent, "PostgreSQL unreachable for 20 s");
    }

    private static Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://localhost:" + pipeline.db().port() + "/template1",
                EmbeddedPostgresDb.USER,
                EmbeddedPostgresDb.PASSWORD);
    }

    private static void assertUnreachable(JobConfig config) {
        try (Connection c =
                DriverManager.getConnection(
                        config.postgres().jdbcUrl(),
                        config.postgres().user(),
                        config.postgres().password().value())) {
            throw new AssertionError("PostgreSQL still accepts connections");
        } catch (SQLException expected) {
            assertThat(expected.getMessage()).contains("not currently accepting connections");
        }
    }

    /** Waits until the current job has read {@code records} and a checkpoint completed since. */
    private void awaitProgress(long records) throws InterruptedException {
        assertThat(FaultRun.await(() -> FaultyDeserializer.read() >= records, FaultRun.TIMEOUT))
                .as("the job read %d records", records)
                .isTrue();
        Optional<Path> before = FaultRun.latestCheckpoint(checkpoints);
        assertThat(
                        FaultRun.await(
                                () -> !FaultRun.latestCheckpoint(checkpoints).equals(before),
                                FaultRun.TIMEOUT))
                .as("a checkpoint completed")
                .isTrue();
    }

    private static void finish(JobClient job) throws Exception {
        job.getJobExecutionResult().get(FaultRun.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static boolean restarted(MiniCluster cluster, JobID job) throws Exception {
        return cluster.getExecutionGraph(job).get().getStatusTimestamp(JobStatus.RESTARTING) > 0;
    }

    /** For unbounded jobs: the tables reach the expected state (and the test reports the last). */
    private static void awaitTables(JobConfig config, List<Sent> sent, String context)
            throws InterruptedException {
        TableSnapshot expected = RandomTraffic.expected(config, sent);
        TableSnapshot actual = pipeline.awaitTables(expected::equals, FaultRun.TIMEOUT);
        assertThat(actual.toString())
                .as(() -> context + actual.differencesFrom(expected))
                .isEqualTo(expected.toString());
    }

    private static void assertTables(JobConfig config, List<Sent> sent, String context) {
        TableSnapshot expected = RandomTraffic.expected(config, sent);
        TableSnapshot actual =
                pipeline.snapshot().withoutResolvedAlerts(RandomTraffic.withdrawable(config, sent));
        assertThat(actual.toString())
                .as(() -> context + actual.differencesFrom(expected))
                .isEqualTo(expected.toString());
        assertThat(expected.regionHealth()).as("the case has windows").isNotEmpty();
        assertFeatureTables(config, sent, context);
    }

    /**
     * For unbounded jobs: waits until trending_content and user_sessions hold what the oracle says
     * (their last rows follow the main tables' by a sink flush), then asserts them.
     */
    private static void awaitFeatureTables(JobConfig config, List<Sent> sent, String context)
            throws InterruptedException {
        List<String> trending = RandomTraffic.expectedTrending(config, sent);
        List<String> sessions = RandomTraffic.expectedSessions(config, sent);
        FaultRun.await(
                () ->
                        FeatureOracle.readTrending(pipeline.db().dataSource()).equals(trending)
                                && FeatureOracle.readSessions(pipeline.db().dataSource())
                                        .equals(sessions),
                FaultRun.TIMEOUT);
        assertFeatureTables(config, sent, context);
    }

    /** trending_content and user_sessions exact too, against the independent oracle. */
    private static void assertFeatureTables(JobConfig config, List<Sent> sent, String context) {
        List<String> trending = RandomTraffic.expectedTrending(config, sent);
        assertThat(FeatureOracle.readTrending(pipeline.db().dataSource()))
                .as(context + ": trending_content")
                .isEqualTo(trending);
        assertThat(trending).as("the case has rankings").hasSizeGreaterThan(10);
        List<String> sessions = RandomTraffic.expectedSessions(config, sent);
        assertThat(FeatureOracle.readSessions(pipeline.db().dataSource()))
                .as(context + ": user_sessions")
                .isEqualTo(sessions);
        assertThat(sessions).as("the case has sessions").isNotEmpty();
    }
}
