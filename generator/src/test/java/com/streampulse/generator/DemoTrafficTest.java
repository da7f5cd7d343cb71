package com.streampulse.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.streampulse.events.ContentDownloadEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's surge, drift and returning users, over 15 minutes of seeded events at 200/s. */
class DemoTrafficTest {

    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    static final int RATE = 200;
    static final DemoTraffic DEMO = DemoTraffic.DEFAULTS;
    static final List<ContentDownloadEvent> EVENTS =
            Stream.generate(
                            new SyntheticSource(
                                            SyntheticOptions.plain(7, START, RATE).withDemo(DEMO))
                                    ::next)
                    .limit(15L * 60 * RATE)
                    .map(Outgoing::event)
                    .toList();

    @Test
    void theNewTitleKeepsItsBaseShareThenSurgesToItsPeak() {
        assertThat(surgeShare(0)).isCloseTo(DEMO.surgeBaseShare(), within(0.005));
        assertThat(surgeShare(1)).isCloseTo(DEMO.surgeBaseShare(), within(0.005));
        // Up the ramp: a quarter of the way on average in minute 2, three quarters in minute 3.
        double quarter =
                DEMO.surgeBaseShare() + (DEMO.surgePeakShare() - DEMO.surgeBaseShare()) / 4;
        assertThat(surgeShare(2)).isCloseTo(quarter, within(0.02));
        assertThat(surgeShare(3))
                .isCloseTo(DEMO.surgePeakShare() - (quarter - DEMO.surgeBaseShare()), within(0.02));
        assertThat(surgeShare(10)).isCloseTo(DEMO.surgePeakShare(), within(0.03));
        // It takes the place of other titles: the volume stays the generator's rate.
        assertThat(minute(10)).hasSize(60 * RATE);
    }

    @Test
    void theDriftingRegionSlowsAMinuteAtATimeAndTheOthersDoNot() {
        double before = averageSpeed(DEMO.driftRegion(), 2);
        for (int m = 5; m <= 14; m += 3) {
            // The factor in the middle of minute m.
            double expected = DEMO.speedFactor(Duration.ofSeconds(m * 60L + 30));
            assertThat(averageSpeed(DEMO.driftRegion(), m) / before)
                    .as("minute %d", m)
                    .isCloseTo(expected, within(0.05));
        }
        assertThat(averageSpeed("EU-London", 14) / averageSpeed("EU-London", 2))
                .isCloseTo(1.0, within(0.05));
    }

    @Test
    void everyRegularUserHasSeveralSessionsSeparatedByTheirPause() {
        Map<String, List<Long>> byUser = new TreeMap<>();
        for (ContentDownloadEvent e : EVENTS) {
            if (e.getUserId().startsWith("regular_")) {
                byUser.computeIfAbsent(e.getUserId(), u -> new ArrayList<>())
                        .add(e.getTimestamp().toEpochMilli());
            }
        }
        assertThat(byUser).hasSize(DEMO.regulars());
        long gap = Duration.ofMinutes(2).toMillis(); // make run's session gap
        for (Map.Entry<String, List<Long>> user : byUser.entrySet()) {
            List<List<Long>> sessions = splitByGap(user.getValue(), gap);
            // 15 minutes of 1-minute bursts every 4 minutes: 3 or 4 of them, all whole.
            assertThat(sessions).as(user.getKey()).hasSizeBetween(3, 5);
            for (List<Long> s : sessions) {
                assertThat(s.get(s.size() - 1) - s.get(0))
                        .as(user.getKey())
                        .isLessThan(DEMO.regularActive().toMillis());
            }
        }
        long regularEvents = byUser.values().stream().mapToLong(List::size).sum();
        assertThat((double) regularEvents / EVENTS.size())
                .isCloseTo(DEMO.regularShare(), within(0.003));
    }

    @Test
    void aRegularIsActiveForItsActiveTimeInEveryCycle() {
        long period = DEMO.regularActive().plus(DEMO.regularPause()).toSeconds();
        for (int i = 0; i < DEMO.regulars(); i++) {
            int active = 0;
            for (long s = 0; s < period; s++) {
                if (DEMO.regularActive(i, Duration.ofSeconds(s))) {
                    active++;
                }
            }
            assertThat(active).isEqualTo((int) DEMO.regularActive().toSeconds());
        }
    }

    @Test
    void theCommandLineSendsItWithDemo(@TempDir Path dir) throws Exception {
        Path dump = dir.resolve("demo.jsonl");
        int exit =
                GeneratorMain.run(
                        Map.of(),
                        new String[] {
                            "--demo",
                            "--count",
                            "2000",
                            "--rate",
                            "0",
                            "--seed",
                            "1",
                            "--dry-run",
                            "--dump",
                            dump.toString()
                        });
        assertThat(exit).isZero();
        String sent = Files.readString(dump);
        assertThat(sent).contains("regular_", DemoTraffic.SURGING_TITLE.contentId());
    }

    private static List<List<Long>> splitByGap(List<Long> times, long gap) {
        List<List<Long>> sessions = new ArrayList<>();
        List<Long> current = null;
        long last = Long.MIN_VALUE;
        for (long t : times) {
            if (current == null || t - last > gap) {
                current = new ArrayList<>();
                sessions.add(current);
            }
            current.add(t);
            last = t;
        }
        return sessions;
    }

    private static List<ContentDownloadEvent> minute(int m) {
        return EVENTS.subList(m * 60 * RATE, (m + 1) * 60 * RATE);
    }

    private static double surgeShare(int m) {
        List<ContentDownloadEvent> events = minute(m);
        long surging =
                events.stream()
                        .filter(
                                e ->
                                        e.getContent()
                                                .getContentId()
                                                .equals(DemoTraffic.SURGING_TITLE.contentId()))
                        .count();
        return (double) surging / events.size();
    }

    private static double averageSpeed(String region, int m) {
        Map<String, double[]> sums = new HashMap<>();
        for (ContentDownloadEvent e : minute(m)) {
            double[] s = sums.computeIfAbsent(e.getUserContext().getRegion(), r -> new double[2]);
            s[0] += e.getDownload().getSpeedMbps();
            s[1]++;
        }
        double[] s = sums.get(region);
        return s[0] / s[1];
    }
}
