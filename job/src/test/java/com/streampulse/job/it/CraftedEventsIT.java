package com.streampulse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole job on a real Kafka broker, a real PostgreSQL and a MiniCluster at parallelism 2, over
 * a crafted set of events: out of order, exactly on a window boundary, cancelled, malformed,
 * invalid, late within and beyond the allowed lateness, on two partitions with a third one idle.
 * Every row of every table is compared with what {@link Oracle} computes from the events sent.
 */
class CraftedEventsIT {

    @RegisterExtension static final MiniClusterExtension FLINK = Pipeline.miniCluster();

    private static final Instant T0 = Instant.parse("2025-01-15T10:00:00Z");
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

    private static Instant at(int minute, double seconds) {
        return T0.plusMillis(minute * 60_000L + Math.round(seconds * 1000));
    }

    @Test
    void everyTableHoldsExactlyTheExpectedRows() throws Exception {
        pipeline.reset();
        JobConfig config = pipeline.config();
        JobClient job =
                pipeline.job(config, StreamPulseJob.kafkaSource(config.kafka()))
                        .executeAsync("crafted");
        try {
            Oracle oracle = new Oracle(60_000, config.alerts().minEvents());

            // Phase 1: ten minutes of traffic; every window closes on time.
            List<TestEvent> phase1 = phaseOne();
            List<Sent> sent1 = pipeline.send(phase1);
            oracle.phase(valid(sent1));
            expectRejections(oracle, sent1);
            pipeline.awaitTables(
                    s -> s.regionHealth().stream().anyMatch(r -> r.windowStart().equals(at(8, 0))),
                    TIMEOUT);

            // Phase 2: late events. Two change closed windows and their alerts; one is too late.
            List<TestEvent> late = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                late.add(TestEvent.at(at(6, 40 + i)).region("EU-Paris").failed().to(1));
            }
            for (int i = 0; i < 4; i++) {
                late.add(TestEvent.at(at(7, 40 + i)).region("EU-Berlin").to(0));
            }
            TestEvent tooLate = TestEvent.at(at(1, 30)).to(0);
            late.add(tooLate);
            List<Sent> sent2 = pipeline.send(late);
            oracle.phase(valid(sent2.subList(0, 7)));
            oracle.late(sent2.get(7), at(1, 30), config.allowedLateness());

            TableSnapshot expected = oracle.expected();
            TableSnapshot actual = pipeline.awaitTables(expected::equals, TIMEOUT);
            assertThat(actual.toString())
                    .as(() -> actual.differencesFrom(expected))
                    .isEqualTo(expected.toString());
            assertThat(actual).isEqualTo(expected);
        } finally {
            job.cancel().get();
        }
    }

    /**
     * Baseline traffic in US-California every minute (partition 0, and partition 1 slightly out of
     * order), a boundary pair in US-NewYork, a failing EU-London, a slow ASIA-Tokyo, EU-Paris and
     * EU-Berlin just below the success-rate threshold, a cancelled download, upper-case statuses,
     * and the bad records of {@link #badRecords()}.
     */
    private static List<TestEvent> phaseOne() {
        List<TestEvent> events = new ArrayList<>();
        for (int minute = 0; minute < 10; minute++) {
            for (int i = 0; i < 6; i++) {
                var e = TestEvent.at(at(minute, 5 + i * 10));
                if (i % 2 == 1) {
                    e.device("iPad Pro", "iPadOS 18.0").speed(30f + i).duration(100 + i);
                }
                events.add(e.to(0));
            }
            // Partition 1: each pair arrives newest first, within the out-of-orderness. Late in
            // the minute, so both partitions end close in event time and the idle clocks of both
            // source subtasks pass the last window's end together.
            events.add(TestEvent.at(at(minute, 58)).region("US-Texas").to(1));
            events.add(TestEvent.at(at(minute, 56.5)).region("US-Texas").failed().to(1));
            if (minute == 2) {
                events.add(TestEvent.at(at(minute, 45)).region("US-Texas").cancelled().to(1));
                events.add(TestEvent.at(at(minute, 46)).region("US-Texas").status("SUCCESS").to(1));
                events.add(TestEvent.at(at(minute, 47)).region("US-Texas").status("Failed").to(1));
            }
            if (minute == 3) {
                for (int i = 0; i < 5; i++) {
                    var e = TestEvent.at(at(minute, 10 + i)).region("EU-London");
                    events.add((i < 2 ? e : e.failed()).to(1));
                }
            }
            if (minute == 4) {
                events.add(TestEvent.at(at(4, 59.999)).region("US-NewYork").to(0));
                for (int i = 0; i < 5; i++) {
                    events.add(
                            TestEvent.at(at(minute, 20 + i))
                                    .region("ASIA-Tokyo")
                                    .content("mov_barbie_2", "Barbie 2", 2000)
                                    .speed(5f + i)
                                    .to(1));
                }
            }
            if (minute == 5) {
                events.add(TestEvent.at(at(5, 0)).region("US-NewYork").to(0));
            }
            if (minute == 6) {
                for (int i = 0; i < 20; i++) {
                    var e = TestEvent.at(at(minute, 20 + i)).region("EU-Paris");
                    events.add((i < 17 ? e : e.failed()).to(1));
                }
            }
            if (minute == 7) {
                for (int i = 0; i < 8; i++) {
                    var e = TestEvent.at(at(minute, 20 + i)).region("EU-Berlin");
                    events.add((i < 7 ? e : e.failed()).to(0));
                }
            }
            if (minute == 8) {
                events.addAll(badRecords());
            }
        }
        return events;
    }

    private static List<TestEvent> badRecords() {
        byte[] valid = TestEvent.encode(TestEvent.at(at(8, 1)).build());
        return List.of(
                TestEvent.raw(0, "not avro at all".getBytes()),
                TestEvent.raw(0, Arrays.copyOf(valid, 20)),
                TestEvent.raw(1, null),
                TestEvent.at(at(8, 2)).speed(Float.NaN).to(0),
                TestEvent.at(at(8, 3)).status("paused").to(0),
                TestEvent.at(at(8, 4)).eventId("").to(1),
                TestEvent.at(Instant.now().plus(Duration.ofHours(2))).to(1),
                TestEvent.at(Instant.parse("1999-12-31T23:59:59Z")).to(0));
    }

    private static boolean isBad(TestEvent e) {
        if (e.event() == null) {
            return true;
        }
        var d = e.event().getDownload();
        Instant ts = e.event().getTimestamp();
        return Float.isNaN(d.getSpeedMbps())
                || d.getStatus().equals("paused")
                || e.event().getEventId().isEmpty()
                || ts.isAfter(Instant.now())
                || ts.isBefore(Instant.parse("2000-01-01T00:00:00Z"));
    }

    /** Why each of {@link #badRecords()} is rejected, as the decoder or the validator says. */
    private static String detail(Sent s) {
        TestEvent r = s.record();
        if (r.event() == null) {
            if (r.value() == null) {
                return "empty record";
            }
            // Avro strings start with a zig-zag length: 'n' (0x6e) is 55; a UUID's is 36.
            return r.value().length == 20
                    ? "event_id claims 36 bytes but 19 remain"
                    : "event_id claims 55 bytes but 14 remain";
        }
        var e = r.event();
        long ts = e.getTimestamp().toEpochMilli();
        if (Float.isNaN(e.getDownload().getSpeedMbps())) {
            return "download.speed_mbps is negative or not finite: NaN";
        } else if (e.getDownload().getStatus().equals("paused")) {
            return "download.status is not success, failed or cancelled";
        } else if (e.getEventId().isEmpty()) {
            return "event_id is empty";
        } else if (e.getTimestamp().isAfter(Instant.now())) {
            return "timestamp "
                    + ts
                    + " is more than 1 h ahead of its Kafka record's timestamp "
                    + s.logTimestamp();
        }
        return "timestamp " + ts + " is before 2000-01-01";
    }

    private static List<ContentDownloadEvent> valid(List<Sent> sent) {
        return sent.stream().filter(s -> !isBad(s.record())).map(s -> s.record().event()).toList();
    }

    private static void expectRejections(Oracle oracle, List<Sent> sent) {
        for (Sent s : sent) {
            if (isBad(s.record())) {
                boolean malformed = s.record().event() == null;
                oracle.rejected(
                        s,
                        malformed ? "MALFORMED" : "INVALID",
                        detail(s),
                        malformed ? null : s.record().event().getTimestamp(),
                        true);
            }
        }
    }
}
