package com.streampulse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One producer's clock runs 30 minutes ahead and it writes to one partition among honest producers
 * sending live traffic. An event moves its partition's clock at most to its Kafka record timestamp
 * plus the out-of-orderness, so what the skew can do depends on whose clock that timestamp is:
 *
 * <ul>
 *   <li>On a {@code LogAppendTime} topic (the broker stamps every record) only the skewed events
 *       are affected: they wait for their own windows, 30 minutes ahead, and every honest event, on
 *       that partition too, counts on time.
 *   <li>On a {@code CreateTime} topic (the default: the producer stamps its records) the skewed
 *       producer stamps them 30 minutes ahead too, so its partition's clock jumps, and the honest
 *       events that follow on that partition are rejected as LATE (with their payloads, so they can
 *       be replayed). This is the limit RELIABILITY.md states, and why the README recommends {@code
 *       LogAppendTime} for the topic.
 * </ul>
 */
class SkewedClockIT {

    @RegisterExtension static final MiniClusterExtension FLINK = Pipeline.miniCluster();

    private static final Duration SKEW = Duration.ofMinutes(30);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int SKEWED_PARTITION = 0;

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
    void onALogAppendTimeTopicOnlyTheSkewedProducersEventsAreAffected() throws Exception {
        pipeline.reset(Map.of("message.timestamp.type", "LogAppendTime"));
        try (Run run = run()) {
            Oracle oracle = new Oracle(1_000, run.config.alerts().minEvents());
            oracle.phase(events(run.before)).phase(events(run.after));
            assertTables(oracle.expected());
        }
    }

    @Test
    void onACreateTimeTopicTheHonestEventsAfterTheSkewOnItsPartitionAreLate() throws Exception {
        pipeline.reset(Map.of("message.timestamp.type", "CreateTime"));
        try (Run run = run()) {
            Oracle oracle = new Oracle(1_000, run.config.alerts().minEvents());
            List<ContentDownloadEvent> counted = new ArrayList<>(events(run.before));
            for (Sent s : run.after) {
                if (s.partition() == SKEWED_PARTITION) {
                    oracle.late(s, s.record().event().getTimestamp(), run.config.allowedLateness());
                } else {
                    counted.add(s.record().event());
                }
            }
            oracle.phase(counted);
            assertTables(oracle.expected());
        }
    }

    /**
     * What one case sent: honest traffic, the skewed producer's burst, honest traffic again; and
     * the job, which runs until the case has seen its tables: the sinks write each table on its own
     * flush, so a row of one table can still be on its way when another shows the last window.
     */
    private record Run(JobConfig config, List<Sent> before, List<Sent> after, JobClient job)
            implements AutoCloseable {

        @Override
        public void close() throws Exception {
            job.cancel().get();
        }
    }

    private static Run run() throws Exception {
        JobConfig config =
                pipeline.config("--window-size=1s", "--allowed-lateness=30s", "--idleness=2s");
        JobClient job =
                pipeline.job(config, StreamPulseJob.kafkaSource(config.kafka()))
                        .executeAsync("skewed clock");
        boolean started = false;
        try {
            Instant start = Instant.now().minusSeconds(3).truncatedTo(ChronoUnit.MILLIS);
            List<Sent> before = pipeline.send(honest(start));
            Instant skewed = Instant.now().plus(SKEW).truncatedTo(ChronoUnit.MILLIS);
            List<TestEvent> fromTheFuture = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                fromTheFuture.add(
                        TestEvent.at(skewed.plusMillis(i * 100L))
                                .content("mov_from_the_future", "From the Future", 900)
                                .region("EU-Madrid")
                                .to(SKEWED_PARTITION));
            }
            pipeline.send(fromTheFuture, skewed);
            // Live again: from the moment of sending, so no honest event is older than the broker's
            // clock by more than the time a send takes.
            List<Sent> after = pipeline.send(honest(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
            // The honest windows close once traffic stops (idleness, then the wall clock); the
            // skewed ones, 30 minutes ahead, stay open for the rest of the test.
            started = true;
            return new Run(config, before, after, job);
        } finally {
            if (!started) {
                job.cancel().get();
            }
        }
    }

    /** Three seconds of live traffic from {@code from}, in order, on every partition. */
    private static List<TestEvent> honest(Instant from) {
        List<TestEvent> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            int partition = i % Pipeline.PARTITIONS;
            events.add(
                    TestEvent.at(from.plusMillis(i * 100L))
                            .region(partition == SKEWED_PARTITION ? "US-Texas" : "US-California")
                            .to(partition));
        }
        return events;
    }

    private static List<ContentDownloadEvent> events(List<Sent> sent) {
        return sent.stream().map(s -> s.record().event()).toList();
    }

    private static void assertTables(TableSnapshot expected) throws InterruptedException {
        TableSnapshot actual = pipeline.awaitTables(expected::equals, TIMEOUT);
        assertThat(actual.toString())
                .as(() -> actual.differencesFrom(expected))
                .isEqualTo(expected.toString());
        assertThat(actual.contentStats())
                .noneMatch(r -> r.contentId().equals("mov_from_the_future"));
    }
}
