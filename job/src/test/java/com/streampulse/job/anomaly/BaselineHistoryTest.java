package com.streampulse.job.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.WindowCounts;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Baselines by cut-off, with and without the hour-of-day profile: pure functions. */
class BaselineHistoryTest {

    static final long MINUTE = 60_000;
    static final long HOUR = 60 * MINUTE;

    /** A Monday, 00:00 UTC. */
    static final long DAY = 1_767_571_200_000L;

    static final AnomalySettings FLAT = AnomalySettings.DEFAULTS;
    static final AnomalySettings HOURLY = AnomalySettings.DEFAULTS.withHourOfDay(true);

    @Test
    void withoutTheProfileEveryWindowLearnsIntoOneBaselineInTheOrderOfItsStart() {
        TreeMap<Long, WindowCounts> windows = windows(new Random(1), DAY, 90);
        TreeMap<Long, Baseline> history = new TreeMap<>();
        new BaselineHistory(MINUTE, FLAT).learn(history, windows);

        Baseline expected = Baseline.EMPTY;
        for (WindowCounts c : windows.values()) {
            expected = expected.learn(c, FLAT);
        }
        long lastEnd = windows.lastKey() + MINUTE;
        assertThat(new BaselineHistory(MINUTE, FLAT).asOf(history, lastEnd, lastEnd))
                .isEqualTo(expected);
    }

    @Test
    void withTheProfileAWindowIsJudgedByTheBaselineOfItsHourOnly() {
        // Three hours of traffic: quiet at 02:00, busy at 03:00, quiet again at 04:00.
        TreeMap<Long, WindowCounts> windows = new TreeMap<>();
        windows.putAll(windows(new Random(2), DAY + 2 * HOUR, 60, 100));
        windows.putAll(windows(new Random(3), DAY + 3 * HOUR, 60, 5_000));
        windows.putAll(windows(new Random(4), DAY + 4 * HOUR, 60, 100));
        // The next day's 02:00 and 03:00 hours.
        windows.putAll(windows(new Random(5), DAY + 26 * HOUR, 40, 100));
        windows.putAll(windows(new Random(6), DAY + 27 * HOUR, 40, 5_000));
        TreeMap<Long, Baseline> history = new TreeMap<>();
        BaselineHistory hourly = new BaselineHistory(MINUTE, HOURLY);
        hourly.learn(history, windows);

        for (int hour : new int[] {2, 3, 4}) {
            Baseline expected = Baseline.EMPTY;
            for (var e : windows.entrySet()) {
                if ((e.getKey() / HOUR) % 24 == hour) {
                    expected = expected.learn(e.getValue(), HOURLY);
                }
            }
            long judged = DAY + 2 * 24 * HOUR + hour * HOUR; // the third day's window at :00
            assertThat(hourly.asOf(history, judged, judged))
                    .as("hour %d", hour)
                    .isEqualTo(expected);
        }
        long busyHour = DAY + 2 * 24 * HOUR + 3 * HOUR;
        assertThat(hourly.asOf(history, busyHour, busyHour).volume().mean()).isGreaterThan(4_000);
        // Without the profile the busy hour is lost in the average of all of them.
        TreeMap<Long, Baseline> flat = new TreeMap<>();
        new BaselineHistory(MINUTE, FLAT).learn(flat, windows);
        assertThat(new BaselineHistory(MINUTE, FLAT).asOf(flat, busyHour, busyHour))
                .isNotEqualTo(hourly.asOf(history, busyHour, busyHour));
        // An hour never seen has no baseline yet: it warms up on its own.
        long unseen = DAY + 2 * 24 * HOUR + 10 * HOUR;
        assertThat(hourly.asOf(history, unseen, unseen)).isEqualTo(Baseline.EMPTY);
    }

    /**
     * The property replays rely on: final windows arriving in any order, learned in batches at any
     * cut-offs (the firings that happen to come), end in the same baselines, hour by hour.
     */
    @Test
    void theBaselineIsTheSameWhateverTheArrivalOrderOfFinalWindows() {
        Random random = new Random(16);
        for (AnomalySettings settings : List.of(FLAT, HOURLY)) {
            for (int run = 0; run < 50; run++) {
                TreeMap<Long, WindowCounts> windows =
                        windows(random, DAY + random.nextInt(24) * HOUR, 150);
                TreeMap<Long, Baseline> inOrder = new TreeMap<>();
                new BaselineHistory(MINUTE, settings).learn(inOrder, windows);

                List<Long> arrival = new ArrayList<>(windows.keySet());
                Collections.shuffle(arrival, random);
                TreeMap<Long, WindowCounts> pending = new TreeMap<>();
                TreeMap<Long, Baseline> batched = new TreeMap<>();
                BaselineHistory history = new BaselineHistory(MINUTE, settings);
                long cutoff = windows.firstKey();
                for (Long start : arrival) {
                    pending.put(start, windows.get(start));
                }
                while (!pending.isEmpty()) {
                    cutoff += random.nextInt(10) * MINUTE;
                    TreeMap<Long, WindowCounts> finals =
                            new TreeMap<>(pending.headMap(cutoff - MINUTE, true));
                    history.learn(batched, finals);
                    finals.keySet().forEach(pending::remove);
                }
                assertThat(batched).as("run %d, %s", run, settings).isEqualTo(inOrder);
            }
        }
    }

    @Test
    void onlyTheNewestBaselineOfEachProfileBeforeTheOldestCutoffIsKept() {
        TreeMap<Long, WindowCounts> windows = windows(new Random(7), DAY, 180);
        TreeMap<Long, Baseline> history = new TreeMap<>();
        BaselineHistory hourly = new BaselineHistory(MINUTE, HOURLY);
        hourly.learn(history, windows);
        long oldestCutoff = DAY + 170 * MINUTE;

        List<Long> obsolete = hourly.obsolete(history, oldestCutoff);

        // Kept: 00:59's end (hour 0), 01:59's end (hour 1), 02:49's end (hour 2) and what follows.
        TreeMap<Long, Baseline> kept = new TreeMap<>(history);
        obsolete.forEach(kept::remove);
        assertThat(kept.headMap(oldestCutoff, true).keySet())
                .containsExactly(DAY + HOUR, DAY + 2 * HOUR, oldestCutoff);
        assertThat(kept.tailMap(oldestCutoff, false)).hasSize(10);
        // Every window still to come finds the baseline it found before.
        for (long start = oldestCutoff; start < DAY + 4 * HOUR; start += MINUTE) {
            assertThat(hourly.asOf(kept, start, start))
                    .isEqualTo(hourly.asOf(history, start, start));
        }
        assertThat(new BaselineHistory(MINUTE, FLAT).obsolete(history, oldestCutoff)).hasSize(169);
    }

    static TreeMap<Long, WindowCounts> windows(Random random, long from, int count) {
        return windows(random, from, count, 100 + random.nextInt(1_000));
    }

    static TreeMap<Long, WindowCounts> windows(Random random, long from, int count, int volume) {
        TreeMap<Long, WindowCounts> windows = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            long total = volume + random.nextInt(Math.max(1, volume / 10));
            long successful = Math.round(total * (0.85 + 0.1 * random.nextDouble()));
            windows.put(
                    from + i * MINUTE,
                    AnomalyRulesTest.window(total, successful, 20 + 10 * random.nextDouble()));
        }
        return windows;
    }
}
