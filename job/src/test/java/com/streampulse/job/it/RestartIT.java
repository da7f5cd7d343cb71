package com.streampulse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job fails mid-stream, after a checkpoint and with results already written since, restores
 * itself from that checkpoint and replays: the tables must end exactly as computed from the events
 * (no count lost, none doubled, every rejection once).
 */
class RestartIT {

    @RegisterExtension static final MiniClusterExtension FLINK = Pipeline.miniCluster();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String[] REGIONS = {"US-California", "EU-London", "ASIA-Tokyo"};

    private static Pipeline pipeline;

    @BeforeAll
    static void start() {
        pipeline = new Pipeline();
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    @Test
    void failureBetweenCheckpointsChangesNoResult(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        pipeline.reset();
        List<TestEvent> records = records(new Random(7), 4_000);
        JobConfig config = pipeline.config();
        var source =
                StreamPulseJob.kafkaSourceBuilder(config.kafka())
                        .setDeserializer(new FailingDeserializer())
                        .build();
        StreamExecutionEnvironment env = pipeline.job(config, source);
        env.configure(fastRestarts());
        JobClient job = env.executeAsync("restart");
        try {
            List<Sent> first = pipeline.send(records.subList(0, 2_000));
            awaitCheckpointsAfter(cluster, job.getJobID(), first);

            // The failure comes 1,000 records into the second half, past later checkpoints and
            // sink flushes, so the restore really rewinds over written results.
            FailingDeserializer.armAfter(1_000);
            List<Sent> second = pipeline.send(records.subList(2_000, records.size()));
            List<Sent> all = new ArrayList<>(first);
            all.addAll(second);

            TableSnapshot expected = expect(config, all).expected();
            TableSnapshot actual = pipeline.awaitTables(expected::equals, TIMEOUT);
            assertThat(FailingDeserializer.fired()).as("the injected failure happened").isTrue();
            assertThat(actual.toString()).isEqualTo(expected.toString());
        } finally {
            job.cancel().get();
        }
    }

    /**
     * PostgreSQL refuses region_health writes long enough that the sink's retries run out and the
     * job restarts: a real database-side failure (a trigger counting attempts with a sequence,
     * which a rollback does not reset), on a bounded source, so every window fires exactly once.
     */
    @Test
    void sinkFailureAndRestartChangeNoResult() throws Exception {
        pipeline.reset();
        try (var c = pipeline.db().dataSource().getConnection();
                var s = c.createStatement()) {
            s.execute("CREATE SEQUENCE IF NOT EXISTS write_attempts");
            s.execute("SELECT setval('write_attempts', 1, false)");
            s.execute(
                    "CREATE OR REPLACE FUNCTION refuse_some_writes() RETURNS trigger AS $$ BEGIN"
                            + " IF nextval('write_attempts') BETWEEN 3 AND 12 THEN"
                            + " RAISE EXCEPTION 'injected write failure'; END IF;"
                            + " RETURN NEW; END $$ LANGUAGE plpgsql");
            s.execute(
                    "CREATE OR REPLACE TRIGGER refuse_some_writes BEFORE INSERT ON region_health"
                            + " FOR EACH ROW EXECUTE FUNCTION refuse_some_writes()");
        }
        try {
            List<Sent> sent = pipeline.send(records(new Random(11), 3_000));
            JobConfig config = pipeline.config("--idleness=60s");
            StreamExecutionEnvironment env = pipeline.job(config, Pipeline.boundedSource(config));
            env.configure(fastRestarts());
            env.execute("sink-failure");

            Oracle oracle = expect(config, sent);
            assertThat(pipeline.snapshot().toString()).isEqualTo(oracle.expected().toString());
            try (var c = pipeline.db().dataSource().getConnection();
                    var s = c.createStatement();
                    var r = s.executeQuery("SELECT last_value FROM write_attempts")) {
                r.next();
                assertThat(r.getLong(1)).as("the injected failures happened").isGreaterThan(12);
            }
        } finally {
            try (var c = pipeline.db().dataSource().getConnection();
                    var s = c.createStatement()) {
                s.execute("DROP TRIGGER refuse_some_writes ON region_health");
            }
        }
    }

    private static Configuration fastRestarts() {
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        restarts.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return restarts;
    }

    private static Oracle expect(JobConfig config, List<Sent> sent) {
        Oracle oracle = new Oracle(config.windowSize().toMillis(), config.alerts().minEvents());
        oracle.phase(valid(sent));
        sent.stream()
                .filter(s -> !isValid(s.record()))
                .forEach(
                        s ->
                                oracle.rejected(
                                        s,
                                        s.record().event() == null ? "MALFORMED" : "INVALID",
                                        s.record().event() == null
                                                ? null
                                                : s.record().event().getTimestamp(),
                                        true));
        return oracle;
    }

    /** Waits until the first records are all accounted for and a checkpoint completed after. */
    private static void awaitCheckpointsAfter(MiniCluster cluster, JobID job, List<Sent> sent)
            throws Exception {
        pipeline.awaitTables(s -> s.regionTotal() + s.rejectedEvents().size() > 0, TIMEOUT);
        long seen = completedCheckpoints(cluster, job);
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (completedCheckpoints(cluster, job) < seen + 2 && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertThat(completedCheckpoints(cluster, job)).isGreaterThanOrEqualTo(seen + 2);
    }

    private static long completedCheckpoints(MiniCluster cluster, JobID job) throws Exception {
        return cluster.getExecutionGraph(job)
                .get()
                .getCheckpointStatsSnapshot()
                .getCounts()
                .getNumberOfCompletedCheckpoints();
    }

    /**
     * Seven minutes of traffic, disordered by less than the out-of-orderness so every window fires
     * once, with 3 % malformed and 2 % invalid records.
     */
    private static List<TestEvent> records(Random random, int count) {
        Instant t0 = Instant.parse("2025-06-01T12:00:00Z");
        List<TestEvent> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int partition = random.nextInt(Pipeline.PARTITIONS);
            double dice = random.nextDouble();
            if (dice < 0.03) {
                byte[] garbage = new byte[1 + random.nextInt(30)];
                random.nextBytes(garbage);
                records.add(TestEvent.raw(partition, garbage));
                continue;
            }
            var event =
                    TestEvent.at(t0.plusMillis(i * 100L + random.nextInt(1_500)))
                            .region(REGIONS[random.nextInt(REGIONS.length)])
                            .speed(5 + random.nextInt(45))
                            .duration(10 + random.nextInt(300));
            if (dice < 0.05) {
                event.duration(-1);
            } else if (dice < 0.17) {
                event.failed();
            } else if (dice < 0.20) {
                event.cancelled();
            }
            records.add(event.to(partition));
        }
        return records;
    }

    private static boolean isValid(TestEvent e) {
        return e.event() != null && e.event().getDownload().getDurationSeconds() >= 0;
    }

    private static List<ContentDownloadEvent> valid(List<Sent> sent) {
        return sent.stream()
                .map(Sent::record)
                .filter(RestartIT::isValid)
                .map(TestEvent::event)
                .toList();
    }
}
