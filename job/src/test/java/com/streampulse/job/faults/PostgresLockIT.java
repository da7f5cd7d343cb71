package com.streampulse.job.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.events.Content;
import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.it.Pipeline;
import com.streampulse.job.it.RandomTraffic;
import com.streampulse.job.it.Sent;
import com.streampulse.job.it.TableSnapshot;
import com.streampulse.job.it.TestEvent;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL locks the result tables (a long migration, a {@code VACUUM FULL}, an operator's {@code
 * LOCK TABLE}) for longer than both the idleness and the allowed lateness, while records wait in
 * Kafka. The sinks block, backpressure stops the source with records unread, and none of that may
 * pass for idleness: once the lock goes, every table equals what a failure-free run computes, and
 * no record turned LATE.
 *
 * <p>Before event time asked Kafka whether a silent partition had anything unread, a source held
 * back this way counted as idle after the idleness (2 s here), the wall clock carried event time
 * past the records still in Kafka, and with 2 s of lateness they came back as LATE rows.
 */
class PostgresLockIT {

    /**
     * Few network buffers of the smallest size Flink allows, so the partial sums of a few thousand
     * records fill them and the backpressure reaches the source within seconds (production has more
     * and larger buffers, and more records: the same mechanism).
     */
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(smallNetworkBuffers())
                            .build());

    private static final int RECORDS = 6_000;
    private static final int PACE_MICROS = 1_000;
    private static final String RESULT_TABLES =
            "content_stats, region_health, device_stats, alerts, rejected_events, dropped_partials";

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
    void tablesLockedLongerThanIdlenessAndLatenessChangeNoResult() throws Exception {
        pipeline.reset();
        List<Sent> sent =
                pipeline.send(
                        everyDownloadItsOwnTitle(RandomTraffic.records(new Random(81), RECORDS)));
        FaultyDeserializer.plan(PACE_MICROS, List.of());
        JobConfig config =
                FaultRun.configWith(
                        pipeline,
                        Files.createTempDirectory("lock-checkpoints"),
                        "--window-size=1s",
                        "--allowed-lateness=2s",
                        "--idleness=2s");
        Duration quietLongEnough = config.idleness().plus(config.allowedLateness()).plusSeconds(1);

        JobClient job = FaultRun.submit(pipeline, config, 2, null);
        try (Connection lock = pipeline.db().dataSource().getConnection();
                Statement s = lock.createStatement()) {
            assertThat(
                            FaultRun.await(
                                    () -> FaultyDeserializer.read() >= RECORDS / 4,
                                    FaultRun.TIMEOUT))
                    .as("the job is reading")
                    .isTrue();
            lock.setAutoCommit(false);
            s.execute("LOCK TABLE " + RESULT_TABLES + " IN ACCESS EXCLUSIVE MODE");
            // Reading keeps its pace: at full speed the source could read every remaining
            // record before the blocked sinks' backpressure reached it (it once did, on a
            // quiet machine, once trending and sessions got cheaper).
            Instant locked = Instant.now();

            // The premise: the source stands still with records unread for longer than the
            // idleness and the lateness together.
            assertThat(FaultRun.awaitStall(quietLongEnough, FaultRun.TIMEOUT))
                    .as("reading stalled behind the locked tables")
                    .isTrue();
            long readWhileLocked = FaultyDeserializer.read();
            assertThat(readWhileLocked).as("records were still unread").isLessThan(RECORDS);
            lock.commit();
            System.out.printf(
                    "PostgreSQL locked for %d ms; reading stalled at %d of %d records%n",
                    Duration.between(locked, Instant.now()).toMillis(), readWhileLocked, RECORDS);
        }
        job.getJobExecutionResult().get(FaultRun.TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        TableSnapshot expected = RandomTraffic.expected(config, sent);
        TableSnapshot actual = pipeline.snapshot();
        assertThat(actual.toString())
                .as(() -> actual.differencesFrom(expected))
                .isEqualTo(expected.toString());
        assertThat(actual.rejectedEvents()).noneMatch(r -> r.reason().equals("LATE"));
        assertThat(expected.regionHealth()).as("the case has windows").isNotEmpty();
    }

    /** One partial sum per event in content_stats: enough data behind the lock to fill buffers. */
    private static List<TestEvent> everyDownloadItsOwnTitle(List<TestEvent> traffic) {
        List<TestEvent> retitled = new ArrayList<>();
        for (TestEvent r : traffic) {
            ContentDownloadEvent e = r.event();
            if (e == null) {
                retitled.add(r);
                continue;
            }
            Content content =
                    Content.newBuilder(e.getContent())
                            .setContentId("title-" + retitled.size())
                            .build();
            retitled.add(
                    new TestEvent(
                            r.partition(),
                            ContentDownloadEvent.newBuilder(e).setContent(content).build(),
                            null));
        }
        return retitled;
    }

    private static Configuration smallNetworkBuffers() {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.MEMORY_SEGMENT_SIZE, MemorySize.parse("4kb"));
        conf.set(NettyShuffleEnvironmentOptions.NETWORK_MAX_BUFFERS_PER_CHANNEL, 2);
        return conf;
    }
}
