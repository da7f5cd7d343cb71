package com.streampulse.job.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.config.JobConfig;
import com.streampulse.job.it.Pipeline;
import com.streampulse.job.it.RandomTraffic;
import com.streampulse.job.it.Sent;
import com.streampulse.job.it.TableSnapshot;
import com.streampulse.testkit.EmbeddedKafka;
import com.streampulse.testkit.TcpProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Network faults between the job and its two servers, injected by the testkit's {@link TcpProxy} on
 * loopback: the job (production Kafka source, production JDBC sinks, RocksDB, checkpoints, at
 * parallelism 2) reaches PostgreSQL and the Kafka broker only through a proxy each. The broker
 * advertises its proxy's address, so every request of the job's consumer crosses it; the test's own
 * producer and admin calls use a direct listener. Each case ends with every table equal to what a
 * failure-free run computes.
 */
class NetworkFaultIT {

    @RegisterExtension static final MiniClusterExtension FLINK = Pipeline.miniCluster();

    private static final int RECORDS = 1_000;

    /** About 1.5 s per pass at parallelism 2: several checkpoint intervals (300 ms) long. */
    private static final int PACE_MICROS = 2_500;

    /**
     * Short PostgreSQL timeouts for the black hole, so the case lasts seconds; the defaults (45 s +
     * 20 s) are the same mechanism, measured in RELIABILITY.md.
     */
    private static final String[] SHORT_PG_TIMEOUTS = {
        "--pg-connect-timeout=2s",
        "--pg-login-timeout=2s",
        "--pg-socket-timeout=3s",
        "--pg-statement-timeout=2s"
    };

    /** Slack for a loaded 2-core machine on top of a timeout, for the scheduler and the polling. */
    private static final Duration SLACK = Duration.ofSeconds(10);

    private static TcpProxy kafkaLink;
    private static TcpProxy postgresLink;
    private static Pipeline pipeline;

    private final List<JobClient> jobs = new ArrayList<>();
    private Path checkpoints;

    @BeforeAll
    static void start() {
        int brokerPort = TcpProxy.freePort();
        kafkaLink = TcpProxy.to(brokerPort);
        pipeline = new Pipeline(EmbeddedKafka.startBehindProxy(brokerPort, kafkaLink.port()));
        postgresLink = TcpProxy.to(pipeline.db().port());
    }

    @AfterAll
    static void stop() {
        postgresLink.close();
        kafkaLink.close();
        pipeline.close();
    }

    @BeforeEach
    void freshTopicAndTables() throws Exception {
        pipeline.reset();
        checkpoints = Files.createTempDirectory("faults-checkpoints");
    }

    /** Heals both links (a failed case may leave one broken), then cancels leftover jobs. */
    @AfterEach
    void healAndCancelLeftoverJobs() throws Exception {
        postgresLink.pass();
        kafkaLink.pass();
        for (JobClient job : jobs) {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
            FaultRun.await(
                    () -> job.getJobStatus().join().isGloballyTerminalState(), FaultRun.TIMEOUT);
        }
    }

    /**
     * PostgreSQL's packets vanish mid-run. The sinks' reads time out, their reconnect times out,
     * and the job fails and restarts (again and again while the hole lasts) instead of hanging;
     * once it closes, the job finishes from its last checkpoint.
     */
    @Test
    void postgresBlackHoleFailsTheSinksWithinTheirTimeoutsAndTheJobRecovers(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        List<Sent> sent = pipeline.send(RandomTraffic.records(new Random(71), RECORDS));
        FaultyDeserializer.plan(PACE_MICROS, List.of());
        JobConfig config = config(SHORT_PG_TIMEOUTS);
        Duration giveUp = config.postgres().timeouts().giveUpAfter();

        JobClient job = track(FaultRun.submit(pipeline, config, 2, null));
        awaitProgress(RECORDS / 3);
        Instant holeOpened = Instant.now();
        postgresLink.blackHole();

        assertThat(
                        FaultRun.await(
                                () -> restartedSince(cluster, job.getJobID(), holeOpened),
                                giveUp.plus(SLACK).multipliedBy(2)))
                .as("the job failed while PostgreSQL was a black hole")
                .isTrue();
        Duration failedAfter = Duration.between(holeOpened, lastRestart(cluster, job.getJobID()));
        String failure = lastFailure(cluster, job.getJobID());
        Instant restartsFailInTheHoleUntil = Instant.now().plusSeconds(3);
        while (Instant.now().isBefore(restartsFailInTheHoleUntil)) {
            Thread.sleep(200); // the fault itself, not synchronisation
        }
        postgresLink.pass();
        Instant healed = Instant.now();
        finish(job);

        System.out.printf(
                "PostgreSQL black hole: the job failed %d ms after it opened (socket timeout %d s"
                        + " + login timeout %d s); finished %d ms after it closed%n",
                failedAfter.toMillis(),
                config.postgres().timeouts().socket().toSeconds(),
                config.postgres().timeouts().login().toSeconds(),
                Duration.between(healed, Instant.now()).toMillis());
        assertThat(failure).as("the sink's own timeout failed the job").contains("timed out");
        assertThat(failedAfter)
                .as("a read blocked for the socket timeout, then a reconnect for the login timeout")
                .isGreaterThanOrEqualTo(config.postgres().timeouts().socket())
                .isLessThan(giveUp.plus(SLACK));
        assertTables(config, sent, "PostgreSQL black hole, failed after " + failedAfter);
    }

    /**
     * The broker's packets vanish mid-run, for longer than the idleness. Reading stalls, the
     * consumer abandons its silent connection after its request timeout and keeps trying new ones,
     * checkpoints go on (nothing in a checkpoint waits on Kafka), and nothing fails; once the hole
     * closes, reading resumes where it stopped, and no record waiting in Kafka turned LATE.
     *
     * <p>Unbounded, with a sentinel closing every window: in a bounded job a source subtask that
     * has read its partitions finishes, and no checkpoint completes after that (see
     * RELIABILITY.md), which would hide what this case checks.
     */
    @Test
    void kafkaBlackHoleStallsReadingButNotCheckpointsAndTheJobCatchesUp(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        List<Sent> sent = pipeline.send(RandomTraffic.records(new Random(72), RECORDS));
        pipeline.send(FaultRun.sentinels());
        FaultyDeserializer.plan(PACE_MICROS, List.of());
        JobConfig config = config();
        Duration requestTimeout = Duration.ofSeconds(3);

        // Small fetches, so the consumer cannot have the topic buffered before the hole; a request
        // timeout shorter than the hole (production keeps Kafka's 30 s), so it gives up on it.
        JobClient job =
                track(
                        FaultRun.submit(
                                pipeline,
                                config,
                                2,
                                null,
                                false,
                                source ->
                                        source.setProperty("max.partition.fetch.bytes", "2048")
                                                .setProperty("fetch.max.bytes", "4096")
                                                .setProperty(
                                                        "request.timeout.ms",
                                                        Long.toString(requestTimeout.toMillis()))));
        awaitProgress(RECORDS / 4);
        long connectionsBefore = kafkaLink.connectionsAccepted();
        Instant holeOpened = Instant.now();
        kafkaLink.blackHole();

        assertThat(FaultRun.awaitStall(Duration.ofSeconds(2), FaultRun.TIMEOUT))
                .as("reading stalled once the consumer's buffer ran dry")
                .isTrue();
        long readWhileStalled = FaultyDeserializer.read();
        Optional<Path> checkpointAtStall = FaultRun.latestCheckpoint(checkpoints);
        assertThat(
                        FaultRun.await(
                                () ->
                                        !FaultRun.latestCheckpoint(checkpoints)
                                                .equals(checkpointAtStall),
                                SLACK))
                .as("a checkpoint completed while Kafka was a black hole")
                .isTrue();
        assertThat(
                        FaultRun.await(
                                () -> kafkaLink.connectionsAccepted() > connectionsBefore,
                                requestTimeout.plus(SLACK)))
                .as("the consumer gave up its silent connection and opened a new one")
                .isTrue();
        assertThat(FaultyDeserializer.read())
                .as("nothing read during the hole")
                .isEqualTo(readWhileStalled)
                .isLessThan(RECORDS + Pipeline.PARTITIONS);
        // Longer than the idleness: a silent source must not let event time run ahead of the
        // records still waiting in Kafka (they would turn LATE).
        Instant longerThanIdleness = holeOpened.plus(config.idleness().multipliedBy(2));
        while (Instant.now().isBefore(longerThanIdleness)) {
            Thread.sleep(200); // the fault itself, not synchronisation
        }
        kafkaLink.pass();
        Instant healed = Instant.now();
        assertThat(
                        FaultRun.await(
                                () -> FaultyDeserializer.read() > readWhileStalled,
                                FaultRun.TIMEOUT))
                .isTrue();
        Duration resumedAfter = Duration.between(healed, Instant.now());
        awaitTables(config, sent, "Kafka black hole");

        System.out.printf(
                "Kafka black hole: %d ms long (idleness %d ms); reading resumed %d ms after it"
                        + " closed (request timeout %d s)%n",
                Duration.between(holeOpened, healed).toMillis(),
                config.idleness().toMillis(),
                resumedAfter.toMillis(),
                requestTimeout.toSeconds());
        assertThat(restartedSince(cluster, job.getJobID(), Instant.EPOCH))
                .as("a Kafka black hole fails nothing")
                .isFalse();
    }

    /**
     * Every byte to and from PostgreSQL 500 ms late (a 1 s round trip, connection set-up included)
     * with the default timeouts: slower sinks and checkpoints, but no timeout trips, no restart,
     * exact tables.
     */
    @Test
    void postgresLatencyOf500MsEachWayTripsNoTimeout(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        List<Sent> sent = pipeline.send(RandomTraffic.records(new Random(73), RECORDS));
        FaultyDeserializer.plan(PACE_MICROS, List.of());
        JobConfig config = config();
        postgresLink.delay(Duration.ofMillis(500));
        assertThat(roundTripMillis(config))
                .as("a query's round trip")
                .isGreaterThanOrEqualTo(1_000);

        JobClient job = track(FaultRun.submit(pipeline, config, 2, null));
        finish(job);

        assertThat(restartedSince(cluster, job.getJobID(), Instant.EPOCH))
                .as("500 ms each way trips no timeout")
                .isFalse();
        assertTables(config, sent, "500 ms latency each way to PostgreSQL");
    }

    /**
     * The link to PostgreSQL goes down (every connection reset, new ones refused) for half a second
     * every two seconds, three times, mid-run: the sinks lose their connections mid-batch, fail or
     * reconnect (the JDBC connector retries a batch once on a new connection, so whether the job
     * restarts depends on when the next flush comes), and the tables still end exact.
     */
    @Test
    void flappingPostgresLinkChangesNoResult(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        List<Sent> sent = pipeline.send(RandomTraffic.records(new Random(74), RECORDS));
        FaultyDeserializer.plan(PACE_MICROS, List.of());
        JobConfig config = config();

        JobClient job = track(FaultRun.submit(pipeline, config, 2, null));
        awaitProgress(RECORDS / 4);
        long cutBefore = postgresLink.cutConnections();
        postgresLink.flap(Duration.ofMillis(1_500), Duration.ofMillis(500));
        assertThat(FaultRun.await(() -> postgresLink.downPhases() >= 3, FaultRun.TIMEOUT)).isTrue();
        postgresLink.pass();
        long cut = postgresLink.cutConnections() - cutBefore;
        finish(job);

        System.out.printf(
                "Flapping link: %d open connections reset, the job %s%n",
                cut,
                restartedSince(cluster, job.getJobID(), Instant.EPOCH)
                        ? "restarted"
                        : "rode it out (the connector reconnected)");
        assertThat(cut).as("the flaps reset the sinks' open connections").isPositive();
        assertTables(config, sent, "PostgreSQL link down 3 times for 500 ms");
    }

    /** The fault-test configuration, reaching PostgreSQL through its proxy. */
    private JobConfig config(String... flags) {
        List<String> all = new ArrayList<>();
        all.add("--pg-host=127.0.0.1");
        all.add("--pg-port=" + postgresLink.port());
        all.addAll(List.of(flags));
        return FaultRun.configWith(pipeline, checkpoints, all.toArray(String[]::new));
    }

    private JobClient track(JobClient job) {
        jobs.add(job);
        return job;
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

    /** Milliseconds for {@code SELECT 1} on an open connection with the job's URL. */
    private static long roundTripMillis(JobConfig config) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", config.postgres().user());
        props.setProperty("password", config.postgres().password().value());
        try (Connection c = DriverManager.getConnection(config.postgres().jdbcUrl(), props);
                Statement s = c.createStatement()) {
            long start = System.nanoTime();
            try (ResultSet r = s.executeQuery("SELECT 1")) {
                r.next();
            }
            return Duration.ofNanos(System.nanoTime() - start).toMillis();
        }
    }

    private static void finish(JobClient job) throws Exception {
        job.getJobExecutionResult().get(FaultRun.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static boolean restartedSince(MiniCluster cluster, JobID job, Instant since) {
        return lastRestart(cluster, job).isAfter(since);
    }

    /** When the job last entered RESTARTING (the epoch if never). */
    private static Instant lastRestart(MiniCluster cluster, JobID job) {
        try {
            return Instant.ofEpochMilli(
                    cluster.getExecutionGraph(job).get().getStatusTimestamp(JobStatus.RESTARTING));
        } catch (Exception e) {
            throw new IllegalStateException("Could not read the job's status", e);
        }
    }

    private static String lastFailure(MiniCluster cluster, JobID job) throws Exception {
        ErrorInfo failure = cluster.getExecutionGraph(job).get().getFailureInfo();
        return failure == null ? "(none)" : failure.getExceptionAsString();
    }

    /** For unbounded jobs: the tables reach the expected state (and the test reports the last). */
    private static void awaitTables(JobConfig config, List<Sent> sent, String context)
            throws InterruptedException {
        TableSnapshot expected = RandomTraffic.expected(config, sent);
        TableSnapshot actual = pipeline.awaitTables(expected::equals, FaultRun.TIMEOUT);
        assertThat(actual.toString())
                .as(() -> context + actual.differencesFrom(expected))
                .isEqualTo(expected.toString());
        assertThat(expected.regionHealth()).as("the case has windows").isNotEmpty();
    }

    private static void assertTables(JobConfig config, List<Sent> sent, String context) {
        TableSnapshot expected = RandomTraffic.expected(config, sent);
        TableSnapshot actual = pipeline.snapshot();
        assertThat(actual.toString())
                .as(() -> context + actual.differencesFrom(expected))
                .isEqualTo(expected.toString());
        assertThat(expected.regionHealth()).as("the case has windows").isNotEmpty();
    }
}
