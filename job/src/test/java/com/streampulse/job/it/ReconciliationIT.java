package com.streampulse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.config.JobConfig;
import com.streampulse.job.it.TableSnapshot.RejectedView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every record read is accounted for: counted in the windows, or in {@code rejected_events} with a
 * reason. A seeded random mix of good, malformed, invalid, disordered and very late records runs
 * through the job on a bounded source, and the books must balance exactly.
 */
class ReconciliationIT {

    @RegisterExtension static final MiniClusterExtension FLINK = Pipeline.miniCluster();

    private static final long SEED = 20261127L;
    private static final int RECORDS = 6_000;
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
    void everyRecordIsCountedOrRejected() throws Exception {
        pipeline.reset();
        List<Sent> sent = pipeline.send(randomRecords(new Random(SEED)));

        // A bounded run ends with the final watermark; no partition needs to go idle.
        JobConfig config = pipeline.config("--idleness=60s");
        pipeline.job(config, Pipeline.boundedSource(config)).execute("reconciliation");

        TableSnapshot tables = pipeline.snapshot();
        Set<Long> badOffsets = offsets(sent, s -> s.record().event() == null || isInvalid(s));
        Set<Long> rejectedAsBad =
                tables.rejectedEvents().stream()
                        .filter(r -> !r.reason().equals("LATE"))
                        .map(ReconciliationIT::key)
                        .collect(Collectors.toSet());
        List<RejectedView> late =
                tables.rejectedEvents().stream().filter(r -> r.reason().equals("LATE")).toList();
        long valid = sent.size() - badOffsets.size();

        assertThat(rejectedAsBad).isEqualTo(badOffsets);
        assertThat(late.stream().map(ReconciliationIT::key).collect(Collectors.toSet()))
                .isEqualTo(expectedLate(sent, config));
        assertThat(tables.regionTotal() + late.size()).isEqualTo(valid);
        assertThat(tables.contentStats().stream().mapToLong(r -> r.downloads()).sum())
                .isEqualTo(tables.regionTotal());
        assertThat(tables.deviceStats().stream().mapToLong(r -> r.total()).sum())
                .isEqualTo(tables.regionTotal());
        // The mix really exercised every path.
        assertThat(badOffsets).hasSizeGreaterThan(100);
        assertThat(late).hasSizeGreaterThan(10);
    }

    /**
     * Mostly ordered traffic over 20 minutes with jitter; 2 % malformed, 2 % invalid, 1 % ten
     * minutes behind (beyond the allowed lateness once the stream has moved on).
     */
    private static List<TestEvent> randomRecords(Random random) {
        Instant t0 = Instant.parse("2025-03-01T08:00:00Z");
        List<TestEvent> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            int partition = random.nextInt(Pipeline.PARTITIONS);
            long offsetMillis = i * 200L + random.nextInt(3_000);
            double dice = random.nextDouble();
            if (dice < 0.02) {
                byte[] garbage = new byte[random.nextInt(40)];
                random.nextBytes(garbage);
                records.add(TestEvent.raw(partition, garbage));
                continue;
            }
            if (dice < 0.03) {
                offsetMillis = Math.max(0, offsetMillis - 600_000);
            }
            var event =
                    TestEvent.at(t0.plusMillis(offsetMillis))
                            .region(REGIONS[random.nextInt(REGIONS.length)])
                            .speed(1 + random.nextInt(50))
                            .duration(10 + random.nextInt(500));
            if (dice < 0.03) {
                event.failed();
            } else if (dice < 0.05) {
                event.status("unknown");
            } else if (dice < 0.15) {
                event.failed();
            } else if (dice < 0.18) {
                event.cancelled();
            }
            records.add(event.to(partition));
        }
        return records;
    }

    /**
     * The events too late by their own partition's clock: the window's last millisecond plus the
     * allowed lateness is at or before the newest earlier event of the partition minus the
     * out-of-orderness. (The watermark can only make that later while records keep flowing.)
     */
    private static Set<Long> expectedLate(List<Sent> sent, JobConfig config) {
        long window = config.windowSize().toMillis();
        long lateness = config.allowedLateness().toMillis();
        long disorder = config.outOfOrderness().toMillis();
        java.util.Map<Integer, Long> newest = new java.util.HashMap<>();
        Set<Long> late = new java.util.HashSet<>();
        for (Sent s : sent) {
            if (s.record().event() == null || isInvalid(s)) {
                continue;
            }
            long ts = s.record().event().getTimestamp().toEpochMilli();
            long windowLast = ts - Math.floorMod(ts, window) + window - 1;
            Long before = newest.get(s.partition());
            if (before != null && windowLast + lateness <= before - disorder - 1) {
                late.add(((long) s.partition() << 40) | s.offset());
            }
            newest.merge(s.partition(), ts, Math::max);
        }
        return late;
    }

    private static boolean isInvalid(Sent s) {
        return s.record().event().getDownload().getStatus().equals("unknown");
    }

    private static long key(RejectedView r) {
        return ((long) r.partition() << 40) | r.offset();
    }

    private static Set<Long> offsets(List<Sent> sent, java.util.function.Predicate<Sent> which) {
        return sent.stream()
                .filter(which)
                .map(s -> ((long) s.partition() << 40) | s.offset())
                .collect(Collectors.toSet());
    }
}
