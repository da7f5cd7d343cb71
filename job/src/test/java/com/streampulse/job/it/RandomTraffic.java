package com.streampulse.job.it;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.job.config.JobConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Seeded traffic for the tests that inject failures, and the tables a failure-free run of it gives.
 *
 * <p>{@link #records} is disordered by less than the out-of-orderness: every window fires once with
 * all its events. {@link #withLateData} adds, per partition, events later than the out-of-orderness
 * but within the allowed lateness (late updates, refiring their windows), and events beyond it
 * (LATE rows). Which events are which is decided here, by construction with wide margins (each
 * partition's newest valid event so far), not by re-running the job's rule; the user id carries the
 * label so the oracle reads it back from what was sent.
 */
public final class RandomTraffic {

    /** When the traffic starts, in event time. */
    public static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

    private static final String[] REGIONS = {"US-California", "EU-London", "ASIA-Tokyo"};
    private static final String[][] CONTENTS = {
        {"mov_avengers_2", "Avengers: Endgame 2"},
        {"ser_dark_s1e1", "Dark S1E1"},
        {"gam_cyberpunk", "Cyberpunk 2077"}
    };
    private static final String[][] DEVICES = {
        {"iPhone 15 Pro", "iOS 18.1"}, {"Pixel 9", "Android 15"}, {"iPhone 15 Pro", "iOS 17.6"}
    };

    private RandomTraffic() {}

    /**
     * {@code count} records over about {@code count / 10} seconds of event time, disordered by less
     * than the out-of-orderness, with 3 % malformed and 2 % invalid records, in three partitions.
     */
    public static List<TestEvent> records(Random random, int count) {
        return records(random, count, 100);
    }

    private static List<TestEvent> records(Random random, int count, long spacingMillis) {
        List<TestEvent> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int partition = random.nextInt(Pipeline.PARTITIONS);
            double dice = random.nextDouble();
            if (dice < 0.03) {
                byte[] garbage = new byte[1 + random.nextInt(30)];
                random.nextBytes(garbage);
                // An odd one-byte length in front: a negative event_id length, so the decoder's
                // reason is known by construction (see malformedDetail).
                garbage[0] = (byte) ((garbage[0] & 0x7f) | 1);
                records.add(TestEvent.raw(partition, garbage));
                continue;
            }
            String[] content = CONTENTS[random.nextInt(CONTENTS.length)];
            String[] device = DEVICES[random.nextInt(DEVICES.length)];
            var event =
                    TestEvent.at(T0.plusMillis(i * spacingMillis + random.nextInt(1_500)))
                            .region(REGIONS[random.nextInt(REGIONS.length)])
                            .content(content[0], content[1], 100 + random.nextInt(5_000))
                            .device(device[0], device[1])
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

    /** The tables a failure-free run gives: every valid event counted, every other one rejected. */
    public static TableSnapshot expected(JobConfig config, List<Sent> sent) {
        return oracle(config, sent).expected();
    }

    /** The valid events a failure-free run counts (on time and late updates), in sent order. */
    public static List<ContentDownloadEvent> counted(List<Sent> sent) {
        List<ContentDownloadEvent> counted = new ArrayList<>();
        for (Sent s : sent) {
            TestEvent r = s.record();
            if (isValid(r) && !label(r).equals(TOO_LATE)) {
                counted.add(r.event());
            }
        }
        return counted;
    }

    /** What trending_content must hold after a run of {@code sent}. */
    public static List<String> expectedTrending(JobConfig config, List<Sent> sent) {
        return FeatureOracle.trending(
                counted(sent),
                config.windowSize(),
                config.features().trendingWindow(),
                config.features().trendingTopN());
    }

    /** What user_sessions must hold after a run of {@code sent}. */
    public static List<String> expectedSessions(JobConfig config, List<Sent> sent) {
        return FeatureOracle.sessions(counted(sent), config.features().sessionGap());
    }

    private static Oracle oracle(JobConfig config, List<Sent> sent) {
        Oracle oracle = new Oracle(config.windowSize().toMillis(), config.alerts().minEvents());
        List<ContentDownloadEvent> onTime = new ArrayList<>();
        List<ContentDownloadEvent> late = new ArrayList<>();
        for (Sent s : sent) {
            TestEvent r = s.record();
            if (!isValid(r)) {
                ContentDownloadEvent e = r.event();
                if (e == null) {
                    oracle.rejected(s, "MALFORMED", malformedDetail(r.value()), null, true);
                } else {
                    oracle.rejected(
                            s,
                            "INVALID",
                            "download.duration_seconds is negative: "
                                    + e.getDownload().getDurationSeconds(),
                            e.getTimestamp(),
                            true);
                }
            } else if (label(r).equals(TOO_LATE)) {
                oracle.late(s, r.event().getTimestamp(), config.allowedLateness());
            } else {
                (label(r).equals(LATE_UPDATE) ? late : onTime).add(r.event());
            }
        }
        return oracle.phase(onTime).phase(late);
    }

    /**
     * The reason for the garbage of {@link #records}: Avro writes a string's length first, as a
     * zig-zag varint; one byte {@code b} (odd, below 0x80) is the length {@code -(b >> 1) - 1}.
     */
    private static String malformedDetail(byte[] garbage) {
        int length = -(garbage[0] >> 1) - 1;
        return "event_id claims " + length + " bytes but " + (garbage.length - 1) + " remain";
    }

    /** Labels of {@link #withLateData}, in the user id. */
    static final String LATE_UPDATE = "user-late-update";

    static final String TOO_LATE = "user-too-late";

    /**
     * {@code count} records over about {@code count × 0.3} seconds of event time (10 minutes for
     * 2,000: longer than the allowed lateness), as {@link #records} but with 6 % of the valid
     * events late: 5 % between 61 and 200 s behind their partition (beyond the out-of-orderness,
     * within the default 5 minutes of lateness), 1 % between 61 and 120 s beyond the lateness.
     */
    public static List<TestEvent> withLateData(Random random, int count, JobConfig config) {
        long disorder = config.outOfOrderness().toMillis();
        long lateness = config.allowedLateness().toMillis();
        long[] newest = new long[Pipeline.PARTITIONS];
        Arrays.fill(newest, Long.MIN_VALUE);
        List<TestEvent> records = new ArrayList<>();
        for (TestEvent r : records(random, count, 300)) {
            if (!isValid(r)) {
                records.add(r);
                continue;
            }
            int p = r.partition();
            long time = r.event().getTimestamp().toEpochMilli();
            double dice = random.nextDouble();
            long behind = newest[p] == Long.MIN_VALUE ? 0 : newest[p] - T0.toEpochMilli();
            if (dice < 0.05 && behind > disorder + 200_000) {
                long t = newest[p] - disorder - 61_000 - random.nextInt(139_000);
                records.add(relabel(r, t, LATE_UPDATE));
            } else if (dice < 0.06 && behind > disorder + lateness + 120_000) {
                long t = newest[p] - disorder - lateness - 61_000 - random.nextInt(59_000);
                records.add(relabel(r, t, TOO_LATE));
            } else {
                records.add(r);
                newest[p] = Math.max(newest[p], time);
            }
        }
        return records;
    }

    private static TestEvent relabel(TestEvent r, long time, String label) {
        ContentDownloadEvent e = ContentDownloadEvent.newBuilder(r.event()).build();
        e.setTimestamp(Instant.ofEpochMilli(time));
        e.setUserId(label);
        return new TestEvent(r.partition(), e, null);
    }

    /** True for a late update of {@link #withLateData}. */
    public static boolean isLateUpdate(TestEvent e) {
        return e.event() != null && label(e).equals(LATE_UPDATE);
    }

    private static String label(TestEvent e) {
        return e.event().getUserId();
    }

    /**
     * Alert rows that a run may resolve although the oracle has none: a window with late updates
     * whose rules held on its on-time events and hold on all of them, but broke on some part of the
     * late data that one firing happened to see (which part depends on when the late records were
     * read, in a failure-free run too). The job withdraws such a row; it stays, resolved.
     */
    public static Set<String> withdrawable(JobConfig config, List<Sent> sent) {
        return oracle(config, sent).withdrawable();
    }

    public static boolean isValid(TestEvent e) {
        return e.event() != null && e.event().getDownload().getDurationSeconds() >= 0;
    }
}
