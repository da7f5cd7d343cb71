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
    private static final Instant T0 = Instant.parse("2025-03-01T08:00:00Z");

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
        // A bounded run ends with the final watermark; no partition needs to go idle.
        JobConfig config = pipeline.config("--idleness=60s");
        List<Sent> sent = pipeline.send(randomRecords(new Random(SEED), config));
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
                .isEqualTo(offsets(sent, s -> labelled(s, TOO_LATE)));
        assertThat(tables.regionTotal() + late.size()).isEqualTo(valid);
        assertThat(tables.contentStats().stream().mapToLong(r -> r.downloads()).sum())
                .isEqualTo(tables.regionTotal());
        assertThat(tables.deviceStats().stream().mapToLong(r -> r.total()).sum())
                .isEqualTo(tables.regionTotal());
        // The mix really exercised every path.
        assertThat(badOffsets).hasSizeGreaterThan(100);
        assertThat(late).hasSizeGreaterThan(10);
        assertThat(offsets(sent, s -> labelled(s, LATE_UPDATE))).hasSizeGreaterThan(50);
    }

    /** Labels in the user id: which events are late is decided when they are made. */
    private static final String LATE_UPDATE = "user-late-update";

    private static final String TOO_LATE = "user-too-late";

    /**
     * Mostly ordered traffic over 20 minutes, disordered by less than the out-of-orderness; 2 %
     * malformed, 2 % invalid, and, once a partition has gone far enough, 2 % late updates (61 to
     * 200 s behind the partition's newest valid event beyond the out-of-orderness: within the
     * allowed lateness by 100 s or more) and 1 % too late (61 to 120 s beyond the allowed
     * lateness). Those two are labelled by construction, with margins of a minute or more, so the
     * test does not restate the job's lateness rule to know them.
     */
    private static List<TestEvent> randomRecords(Random random, JobConfig config) {
        long disorder = config.outOfOrderness().toMillis();
        long lateness = config.allowedLateness().toMillis();
        long start = T0.toEpochMilli();
        long[] newest = new long[Pipeline.PARTITIONS];
        java.util.Arrays.fill(newest, Long.MIN_VALUE);
        List<TestEvent> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            int partition = random.nextInt(Pipeline.PARTITIONS);
            long time = start + i * 200L + random.nextInt(3_000);
            double dice = random.nextDouble();
            if (dice < 0.02) {
                byte[] garbage = new byte[random.nextInt(40)];
                random.nextBytes(garbage);
                records.add(TestEvent.raw(partition, garbage));
                continue;
            }
            long behind = newest[partition] == Long.MIN_VALUE ? 0 : newest[partition] - start;
            String label = "user-1";
            if (dice < 0.03 && behind > disorder + lateness + 120_000) {
                time = newest[partition] - disorder - lateness - 61_000 - random.nextInt(59_000);
                label = TOO_LATE;
            } else if (dice >= 0.05 && dice < 0.07 && behind > disorder + 200_000) {
                time = newest[partition] - disorder - 61_000 - random.nextInt(139_000);
                label = LATE_UPDATE;
            }
            var event =
                    TestEvent.at(Instant.ofEpochMilli(time))
                            .userId(label)
                            .region(REGIONS[random.nextInt(REGIONS.length)])
                            .speed(1 + random.nextInt(50))
                            .duration(10 + random.nextInt(500));
            if (dice >= 0.03 && dice < 0.05) {
                event.status("unknown");
            } else if (dice < 0.15) {
                event.failed();
            } else if (dice < 0.18) {
                event.cancelled();
            }
            records.add(event.to(partition));
            if (!(dice >= 0.03 && dice < 0.05)) {
                // Only valid events move a partition's clock.
                newest[partition] = Math.max(newest[partition], time);
            }
        }
        return records;
    }

    private static boolean labelled(Sent s, String label) {
        return s.record().event() != null && s.record().event().getUserId().equals(label);
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
