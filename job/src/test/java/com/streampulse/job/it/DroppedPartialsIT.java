package com.streampulse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.time.KafkaAssignment;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The one loss event time cannot rule out, recorded instead of only logged: a source subtask whose
 * partition was empty since the start steps aside (idle) while the other runs a minute ahead; a
 * producer then backfills that partition with events of a window the rest of the job closed for
 * good. The subtask judges them on time by its own clock, and the windows drop their partial sums.
 * Every dropped partial must land in {@code dropped_partials} with counts that add up to what was
 * sent and offset ranges that name exactly the records to replay; nothing is counted in the result
 * tables and nothing is rejected.
 */
class DroppedPartialsIT {

    @RegisterExtension static final MiniClusterExtension FLINK = Pipeline.miniCluster();

    private static final Instant T0 = Instant.parse("2025-01-15T10:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String BACKFILLED = "mov_backfilled";

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
    void partialsThatReachAClosedWindowAreRecordedWithTheOffsetsThatReplayThem() throws Exception {
        String topic = pipeline.reset();
        // Three partitions over two subtasks: one subtask reads a partition alone.
        int lonely = lonelyPartition(topic);
        int busy = (lonely + 1) % Pipeline.PARTITIONS;
        JobConfig config =
                pipeline.config("--window-size=1s", "--allowed-lateness=1s", "--idleness=2s");
        JobClient job =
                pipeline.job(config, StreamPulseJob.kafkaSource(config.kafka()))
                        .executeAsync("dropped partials");
        try {
            // Five one-second windows on the busy subtask, then one event a minute later: its
            // partition's clock closes the five windows for good (1 s of lateness).
            List<TestEvent> ahead = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ahead.add(TestEvent.at(T0.plusMillis(i * 100L)).to(busy));
            }
            ahead.add(TestEvent.at(T0.plusSeconds(60)).to(busy));
            pipeline.send(ahead);
            pipeline.awaitTables(
                    s ->
                            s.contentStats().stream()
                                    .anyMatch(r -> r.windowStart().equals(T0.plusSeconds(4))),
                    TIMEOUT);

            // The backfill: window T0+1s, long closed, on the partition nobody read yet.
            List<TestEvent> backfill = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                var e =
                        TestEvent.at(T0.plusMillis(1_000 + i * 150L))
                                .content(BACKFILLED, "Backfilled", 700)
                                .region(i < 4 ? "EU-Paris" : "EU-Berlin")
                                .device("Pixel 9", "Android 15");
                backfill.add((i % 3 == 2 ? e.failed() : e).to(lonely));
            }
            List<Sent> sent = pipeline.send(backfill);

            Map<String, Long> expectedEvents = new TreeMap<>();
            Map<String, Long> expectedSuccessful = new TreeMap<>();
            for (Sent s : sent) {
                var e = s.record().event();
                boolean ok = e.getDownload().getStatus().equals("success");
                for (String key :
                        List.of(
                                "CONTENT/" + BACKFILLED + "/Backfilled",
                                "REGION/" + e.getUserContext().getRegion() + "/",
                                "DEVICE/Pixel 9/Android 15")) {
                    expectedEvents.merge(key, 1L, Long::sum);
                    expectedSuccessful.merge(key, ok ? 1L : 0L, Long::sum);
                }
            }

            List<Dropped> rows = awaitDropped(sent.size());
            rows.forEach(r -> System.out.println("dropped_partials: " + r));
            assertThat(sum(rows, Dropped::events)).isEqualTo(expectedEvents);
            assertThat(sum(rows, Dropped::successful)).isEqualTo(expectedSuccessful);
            for (Dropped row : rows) {
                assertThat(row.windowStart()).isEqualTo(T0.plusSeconds(1));
                assertThat(row.topic()).isEqualTo(topic);
                // Replaying the named offsets, keeping this row's key and window, finds its events.
                long replayed =
                        sent.stream()
                                .filter(s -> row.covers(s.partition(), s.offset()))
                                .filter(s -> row.matches(s.record()))
                                .count();
                assertThat(replayed).as(row.toString()).isEqualTo(row.events());
            }
            // Each dimension's rows name every backfilled record.
            for (String dimension : List.of("CONTENT", "REGION", "DEVICE")) {
                assertThat(sent).allMatch(s -> named(rows, dimension, s), dimension);
            }
            assertThat(rows).allMatch(r -> r.sourceRanges().startsWith(lonely + ":"));

            TableSnapshot tables = pipeline.snapshot();
            assertThat(tables.contentStats()).noneMatch(r -> r.contentId().equals(BACKFILLED));
            assertThat(tables.deviceStats()).noneMatch(r -> r.device().equals("Pixel 9"));
            assertThat(tables.regionHealth())
                    .filteredOn(r -> r.windowStart().equals(T0.plusSeconds(1)))
                    .extracting(TableSnapshot.RegionRow::region, TableSnapshot.RegionRow::total)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("US-California", 10L));
            assertThat(tables.rejectedEvents()).isEmpty();
        } finally {
            job.cancel().get();
        }
    }

    /** The partition the Kafka source assigns to a subtask of its own at parallelism 2. */
    private static int lonelyPartition(String topic) {
        Map<Integer, List<Integer>> byReader =
                IntStream.range(0, Pipeline.PARTITIONS)
                        .boxed()
                        .collect(Collectors.groupingBy(p -> KafkaAssignment.reader(topic, p, 2)));
        return byReader.values().stream()
                .filter(partitions -> partitions.size() == 1)
                .findFirst()
                .orElseThrow()
                .get(0);
    }

    private static List<Dropped> awaitDropped(int events) throws Exception {
        Instant deadline = Instant.now().plus(TIMEOUT);
        List<Dropped> rows = dropped();
        while (rows.stream()
                                .filter(r -> r.dimension().equals("CONTENT"))
                                .mapToLong(Dropped::events)
                                .sum()
                        < events
                && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            rows = dropped();
        }
        return rows;
    }

    private static boolean named(List<Dropped> rows, String dimension, Sent record) {
        return rows.stream()
                .anyMatch(
                        r ->
                                r.dimension().equals(dimension)
                                        && r.covers(record.partition(), record.offset()));
    }

    private static Map<String, Long> sum(List<Dropped> rows, Function<Dropped, Long> value) {
        return rows.stream()
                .collect(
                        Collectors.groupingBy(
                                r -> r.dimension() + "/" + r.key() + "/" + r.detail(),
                                TreeMap::new,
                                Collectors.summingLong(value::apply)));
    }

    private static List<Dropped> dropped() throws SQLException {
        List<Dropped> rows = new ArrayList<>();
        try (Connection c = pipeline.db().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT * FROM dropped_partials")) {
            while (r.next()) {
                rows.add(
                        new Dropped(
                                r.getString("dimension"),
                                r.getString("dimension_key"),
                                r.getString("detail"),
                                r.getObject("window_start", OffsetDateTime.class).toInstant(),
                                r.getString("source_topic"),
                                r.getString("source_ranges"),
                                r.getLong("events"),
                                r.getLong("successful")));
            }
        }
        return rows;
    }

    /** A dropped_partials row, read back without the job's code. */
    private record Dropped(
            String dimension,
            String key,
            String detail,
            Instant windowStart,
            String topic,
            String sourceRanges,
            long events,
            long successful) {

        boolean covers(int partition, long offset) {
            for (String range : sourceRanges.split(",")) {
                String[] partitionAndOffsets = range.split(":");
                String[] offsets = partitionAndOffsets[1].split("-");
                if (Integer.parseInt(partitionAndOffsets[0]) == partition
                        && offset >= Long.parseLong(offsets[0])
                        && offset <= Long.parseLong(offsets[1])) {
                    return true;
                }
            }
            return false;
        }

        boolean matches(TestEvent record) {
            var e = record.event();
            Instant time = e.getTimestamp();
            boolean inWindow =
                    !time.isBefore(windowStart) && time.isBefore(windowStart.plusSeconds(1));
            String recordKey =
                    switch (dimension) {
                        case "CONTENT" -> e.getContent().getContentId();
                        case "REGION" -> e.getUserContext().getRegion();
                        default -> e.getUserContext().getDevice();
                    };
            return inWindow && recordKey.equals(key);
        }
    }
}
