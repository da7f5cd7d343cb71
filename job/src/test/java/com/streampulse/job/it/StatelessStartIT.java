package com.streampulse.job.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.guard.StatelessStartRefusedException;
import com.streampulse.job.it.TableSnapshot.ContentRow;
import com.streampulse.job.it.TableSnapshot.DeviceRow;
import com.streampulse.job.it.TableSnapshot.RegionRow;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Starts without state, as a {@code stateless} upgrade or lost HA data leave the job: it resumes at
 * the consumer group's committed offsets, which trail the rows already written by up to a
 * checkpoint interval. Each test runs the production job on a real broker, a real PostgreSQL and a
 * MiniCluster at parallelism 2; "the last checkpoint committed these offsets" is set with Kafka's
 * Admin client, exactly where the test wants it.
 */
class StatelessStartIT {

    @RegisterExtension static final MiniClusterExtension FLINK = Pipeline.miniCluster();

    private static final Instant T0 = Instant.parse("2025-03-01T08:00:00Z");
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

    private static Instant at(int minute, int second) {
        return T0.plusSeconds(minute * 60L + second);
    }

    /**
     * The job read up to 08:05:30 and wrote every window it had, 08:05 with its first half; its
     * last checkpoint had committed partition 0 at 08:05:15. Then the second half of 08:05 arrived,
     * busier than the first. A start without state from the committed offsets would write 08:05
     * from 08:05:15 on only: more events than the row holds, so the count fence on upserts lets the
     * wrong sum through. The start must fail, at once and for good, touching nothing; with the
     * override it runs and does exactly that.
     */
    @Test
    void startWithoutStateOverNewerWindowsFailsTerminallyUnlessOverridden(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        String topic = pipeline.reset();
        List<Sent> read = pipeline.send(traffic(at(0, 0), at(5, 30), 5, true));
        JobConfig config = pipeline.config();
        runToTheEnd(config);
        TableSnapshot written = expected(config, read, List.of());
        assertThat(pipeline.snapshot().toString()).isEqualTo(written.toString());

        List<Sent> later = new ArrayList<>(pipeline.send(traffic(at(5, 30), at(6, 0), 2, false)));
        later.addAll(pipeline.send(traffic(at(6, 0), at(10, 0), 5, false)));
        Map<TopicPartition, Long> lastCheckpoint = endOffsets(topic);
        Sent first = firstAtOrAfter(read, 0, at(5, 15));
        lastCheckpoint.put(new TopicPartition(topic, 0), first.offset());
        commit(config, lastCheckpoint);
        TableSnapshot rowsBefore = pipeline.snapshot();
        String writtenBefore = lastWrites();

        JobClient refused =
                withManyRestarts(pipeline.job(config, Pipeline.boundedSource(config)))
                        .executeAsync("stateless start, refused");
        Throwable failure =
                catchThrowable(
                        () ->
                                refused.getJobExecutionResult()
                                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));

        assertThat(ExceptionUtils.findThrowable(failure, SuppressRestartsException.class))
                .as(String.valueOf(failure))
                .isPresent();
        assertThat(
                        ExceptionUtils.findThrowable(failure, StatelessStartRefusedException.class)
                                .map(Throwable::getMessage))
                .contains(
                        "Refusing to start without state: content_stats already holds the window"
                                + " 2025-03-01T08:05:00Z, at or after the window"
                                + " 2025-03-01T08:05:00Z of the first event read from "
                                + topic
                                + " partition 0 (offset "
                                + first.offset()
                                + ", event time 2025-03-01T08:05:15Z), so this start would"
                                + " overwrite complete rows with partial sums. Restore the job"
                                + " from its last checkpoint or savepoint, or set"
                                + " ALLOW_STATELESS_START=true (--allow-stateless-start) to"
                                + " accept the overwrite.");
        assertThat(restartedAt(cluster, refused.getJobID())).as("restarts").isZero();
        assertThat(pipeline.snapshot()).isEqualTo(rowsBefore);
        assertThat(lastWrites()).as("no row written again").isEqualTo(writtenBefore);
        assertThat(committed(config)).isEqualTo(lastCheckpoint);

        // The override: the job runs, and 08:05 of partition 0's content loses its first quarter.
        runToTheEnd(pipeline.config("--allow-stateless-start"));
        List<Sent> fromOffsets = new ArrayList<>();
        read.stream()
                .filter(s -> s.partition() == 0 && s.offset() >= first.offset())
                .forEach(fromOffsets::add);
        fromOffsets.addAll(later);
        TableSnapshot overwritten = upsertFenced(written, expected(config, fromOffsets, List.of()));
        assertThat(pipeline.snapshot().toString()).isEqualTo(overwritten.toString());
        assertThat(downloads(expected(config, read, later), at(5, 0)))
                .as("08:05 counted with its state")
                .isEqualTo(21);
        assertThat(downloads(pipeline.snapshot(), at(5, 0)))
                .as("08:05 after the override: from 08:05:15 on only")
                .isEqualTo(18);
    }

    /**
     * The first start ever (empty tables) runs; so does a start without state whose first events
     * come after every window the tables hold, even right at the boundary: nothing to overwrite.
     */
    @Test
    void startsOnEmptyTablesAndOnOlderWindowsRun() throws Exception {
        String topic = pipeline.reset();
        List<Sent> before = pipeline.send(traffic(at(0, 0), at(5, 0), 5, true));
        JobConfig config = pipeline.config();
        runToTheEnd(config);
        assertThat(pipeline.snapshot().toString())
                .isEqualTo(expected(config, before, List.of()).toString());

        commit(config, endOffsets(topic));
        List<Sent> after = pipeline.send(traffic(at(5, 0), at(10, 0), 5, true));
        runToTheEnd(config);

        assertThat(pipeline.snapshot().toString())
                .isEqualTo(expected(config, before, after).toString());
    }

    /**
     * A start without state that fails before its first checkpoint restarts without state too (no
     * checkpoint to restore), over rows its first attempt wrote: those are its own, from the same
     * offsets, so the restart must not be refused.
     */
    @Test
    void restartBeforeTheFirstCheckpointIsNotRefusedOverItsOwnRows(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        pipeline.reset();
        JobConfig config = pipeline.config("--checkpoint-interval=1h");
        var source =
                StreamPulseJob.kafkaSourceBuilder(config.kafka())
                        .setDeserializer(new FailingDeserializer())
                        .build();
        StreamExecutionEnvironment env = pipeline.job(config, source);
        Configuration noCheckpointDuringTheTest = new Configuration();
        // The first checkpoint comes at a random time up to the interval, but not before the
        // minimum pause.
        noCheckpointDuringTheTest.set(
                CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, Duration.ofHours(1));
        noCheckpointDuringTheTest.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        noCheckpointDuringTheTest.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        noCheckpointDuringTheTest.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        env.configure(noCheckpointDuringTheTest);
        FailingDeserializer.armAfter(Integer.MAX_VALUE);
        JobClient job = env.executeAsync("fails before its first checkpoint");
        try {
            List<Sent> before = pipeline.send(traffic(at(0, 0), at(5, 0), 5, true));
            pipeline.awaitTables(s -> s.regionHealth().size() >= 3, TIMEOUT);
            assertThat(pipeline.snapshot().regionHealth())
                    .as("rows of the first attempt")
                    .isNotEmpty();

            FailingDeserializer.armAfter(5);
            List<Sent> after = pipeline.send(traffic(at(5, 0), at(10, 0), 5, true));
            TableSnapshot expected = expected(config, before, after);
            TableSnapshot actual = pipeline.awaitTables(expected::equals, TIMEOUT);

            assertThat(FailingDeserializer.fired()).as("the injected failure happened").isTrue();
            assertThat(restartedAt(cluster, job.getJobID())).as("restarted").isPositive();
            assertThat(completedCheckpoints(cluster, job.getJobID())).isZero();
            assertThat(actual.toString())
                    .as(() -> actual.differencesFrom(expected))
                    .isEqualTo(expected.toString());
        } finally {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get();
            }
        }
    }

    /**
     * Events from {@code from} up to (not including) {@code to}, every {@code step} seconds on
     * partition 0 and, when {@code bothPartitions}, every 10 s on partition 1; in order, all
     * successful from 08:05 on (so no alert depends on which events a window saw), a failing
     * EU-London before it.
     */
    private static List<TestEvent> traffic(
            Instant from, Instant to, int step, boolean bothPartitions) {
        List<TestEvent> events = new ArrayList<>();
        for (Instant t = from; t.isBefore(to); t = t.plusSeconds(step)) {
            long second = t.getEpochSecond() % 60;
            boolean early = t.isBefore(at(5, 0));
            var zero = TestEvent.at(t).region(second % 10 == 0 ? "US-California" : "EU-Paris");
            if (early && second % 15 == 0) {
                zero.region("EU-London").failed();
            }
            events.add(zero.to(0));
            if (bothPartitions && second % 10 == 0) {
                events.add(
                        TestEvent.at(t.plusMillis(500))
                                .region("ASIA-Tokyo")
                                .content("ser_dark_s1e1", "Dark S1E1", 800)
                                .device("Pixel 9", "Android 15")
                                .to(1));
            }
        }
        return events;
    }

    /** The first record of {@code partition} at or after {@code time}. */
    private static Sent firstAtOrAfter(List<Sent> sent, int partition, Instant time) {
        return sent.stream()
                .filter(s -> s.partition() == partition)
                .filter(s -> !s.record().event().getTimestamp().isBefore(time))
                .findFirst()
                .orElseThrow();
    }

    /** The downloads of mov_avengers_2 (partition 0's content) in {@code window}. */
    private static long downloads(TableSnapshot tables, Instant window) {
        return tables.contentStats().stream()
                .filter(r -> r.windowStart().equals(window))
                .filter(r -> r.contentId().equals("mov_avengers_2"))
                .mapToLong(ContentRow::downloads)
                .sum();
    }

    /** The tables one failure-free run over both lists gives. */
    private static TableSnapshot expected(JobConfig config, List<Sent> first, List<Sent> second) {
        List<ContentDownloadEvent> events = new ArrayList<>();
        Stream.concat(first.stream(), second.stream()).forEach(s -> events.add(s.record().event()));
        return new Oracle(config.windowSize().toMillis(), config.alerts().minEvents())
                .phase(events)
                .expected();
    }

    /**
     * What the job's upserts of {@code newer}'s rows over {@code old} leave: a row replaces the row
     * with the same natural key unless that one counted more events (the sinks' count fence), and
     * every other row of {@code old} stays.
     */
    private static TableSnapshot upsertFenced(TableSnapshot old, TableSnapshot newer) {
        return new TableSnapshot(
                upsertFenced(
                        old.contentStats(),
                        newer.contentStats(),
                        r -> r.windowStart() + "|" + r.contentId(),
                        ContentRow::downloads),
                upsertFenced(
                        old.regionHealth(),
                        newer.regionHealth(),
                        r -> r.windowStart() + "|" + r.region(),
                        RegionRow::total),
                upsertFenced(
                        old.deviceStats(),
                        newer.deviceStats(),
                        r -> r.windowStart() + "|" + r.device() + "|" + r.osVersion(),
                        DeviceRow::total),
                // No alerts from 08:05 on, where the two runs meet.
                upsertFenced(
                        old.alerts(),
                        newer.alerts(),
                        a -> a.windowStart() + "|" + a.alertType() + "|" + a.scopeKey(),
                        a -> 0L),
                upsertFenced(
                        old.rejectedEvents(),
                        newer.rejectedEvents(),
                        r -> r.topic() + "|" + r.partition() + "|" + r.offset(),
                        r -> 0L));
    }

    /** Keys sort as the snapshot orders its rows (ISO instants sort by time). */
    private static <R> List<R> upsertFenced(
            List<R> old, List<R> newer, Function<R, String> key, ToLongFunction<R> count) {
        Map<String, R> rows = new TreeMap<>();
        old.forEach(r -> rows.put(key.apply(r), r));
        for (R r : newer) {
            rows.merge(
                    key.apply(r),
                    r,
                    (was, now) -> count.applyAsLong(was) <= count.applyAsLong(now) ? now : was);
        }
        return new ArrayList<>(rows.values());
    }

    /** The production job from the group's committed offsets to the end of the topic. */
    private static void runToTheEnd(JobConfig config) throws Exception {
        pipeline.job(config, Pipeline.boundedSource(config)).execute("stateless start");
    }

    private static StreamExecutionEnvironment withManyRestarts(StreamExecutionEnvironment env) {
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1_000);
        restarts.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        env.configure(restarts);
        return env;
    }

    /** The end offset of every partition of {@code topic}. */
    private static Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < Pipeline.PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try (Admin admin = Admin.create(pipeline.kafka().adminProperties())) {
            admin.listOffsets(latest).all().get().forEach((tp, r) -> offsets.put(tp, r.offset()));
        }
        return offsets;
    }

    /** What the job's last checkpoint would have committed. */
    private static void commit(JobConfig config, Map<TopicPartition, Long> offsets)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        offsets.forEach((tp, offset) -> commits.put(tp, new OffsetAndMetadata(offset)));
        try (Admin admin = Admin.create(pipeline.kafka().adminProperties())) {
            admin.alterConsumerGroupOffsets(config.kafka().groupId(), commits).all().get();
        }
    }

    private static Map<TopicPartition, Long> committed(JobConfig config) throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try (Admin admin = Admin.create(pipeline.kafka().adminProperties())) {
            admin.listConsumerGroupOffsets(config.kafka().groupId())
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .forEach((tp, o) -> offsets.put(tp, o.offset()));
        }
        return offsets;
    }

    /** Row counts and the last write time of every window table, to see that none was touched. */
    private static String lastWrites() throws Exception {
        try (Connection c = pipeline.db().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "SELECT (SELECT count(*) || ' ' || max(updated_at) FROM"
                                        + " content_stats), (SELECT count(*) || ' ' ||"
                                        + " max(updated_at) FROM region_health), (SELECT count(*)"
                                        + " || ' ' || max(updated_at) FROM device_stats), (SELECT"
                                        + " count(*) || ' ' || max(updated_at) FROM alerts)")) {
            r.next();
            return r.getString(1)
                    + " | "
                    + r.getString(2)
                    + " | "
                    + r.getString(3)
                    + " | "
                    + r.getString(4);
        }
    }

    /** When the job last went through RESTARTING; 0 if it never did. */
    private static long restartedAt(MiniCluster cluster, JobID job) throws Exception {
        return cluster.getArchivedExecutionGraph(job)
                .get()
                .getStatusTimestamp(JobStatus.RESTARTING);
    }

    private static long completedCheckpoints(MiniCluster cluster, JobID job) throws Exception {
        return cluster.getExecutionGraph(job)
                .get()
                .getCheckpointStatsSnapshot()
                .getCounts()
                .getNumberOfCompletedCheckpoints();
    }
}
