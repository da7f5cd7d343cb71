package com.streampulse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

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
        List<TestEvent> records = RandomTraffic.records(new Random(7), 4_000);
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

            TableSnapshot expected = RandomTraffic.expected(config, all);
            TableSnapshot actual = pipeline.awaitTables(expected::equals, TIMEOUT);
            assertThat(FailingDeserializer.fired()).as("the injected failure happened").isTrue();
            assertThat(actual.toString())
                    .as(() -> actual.differencesFrom(expected))
                    .isEqualTo(expected.toString());
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
            List<Sent> sent = pipeline.send(RandomTraffic.records(new Random(11), 3_000));
            JobConfig config = pipeline.config("--idleness=60s");
            StreamExecutionEnvironment env = pipeline.job(config, Pipeline.boundedSource(config));
            env.configure(fastRestarts());
            env.execute("sink-failure");

            assertThat(pipeline.snapshot().toString())
                    .isEqualTo(RandomTraffic.expected(config, sent).toString());
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
}
