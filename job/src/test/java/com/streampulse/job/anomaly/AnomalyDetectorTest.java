package com.streampulse.job.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.streampulse.job.records.AlertRow;
import com.streampulse.job.records.AlertRow.Change;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.records.WindowCounts.Dimension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@link AnomalyDetector} fed the firings of region windows as the keyed window operator emits
 * them: each window's on-time firing, then one firing per late update.
 */
class AnomalyDetectorTest {

    private static final long MINUTE = 60_000;
    private static final long LATENESS = 5 * MINUTE;
    private static final long START = Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();
    private static final AnomalySettings SETTINGS = AnomalySettings.DEFAULTS;

    @Test
    void lateDataResolvesAnAnomalyItsOnTimeFiringRaised() throws Exception {
        try (var h = harness()) {
            warmUp(h, "EU", 40);
            // Minute 40: 40 of 100 on time failed, against a usual 5 %.
            WindowCounts incident = window("EU", 40, 100, 60, 20.0);
            h.processElement(incident, 0);
            // Then 900 late downloads, 50 failed: 9 % errors, still over 3σ (8 %)...
            WindowCounts late = withLate(incident, 900, 850, 20.0);
            h.processElement(late, 0);
            // ...and 1000 successful: 4.5 %, normal.
            h.processElement(withLate(late, 1000, 1000, 20.0), 0);

            assertThat(rows(h, "ANOMALY_ERROR_RATE"))
                    .extracting(AlertRow::change, AlertRow::severity, AlertRow::windowEvents)
                    .containsExactly(
                            tuple(Change.RAISE, "CRITICAL", 100L),
                            tuple(Change.RAISE, "WARNING", 1000L),
                            tuple(Change.RESOLVE, "CRITICAL", 2000L));
            AlertRow raised = rows(h, "ANOMALY_ERROR_RATE").get(0);
            assertThat(raised.expectedValue()).isEqualTo(0.05, within());
            assertThat(raised.deviation()).isEqualTo(35.0, within());
            assertThat(raised.windowStart()).isEqualTo(START + 40 * MINUTE);
            assertThat(raised.scopeKey()).isEqualTo("EU");
            assertThat(raised.message())
                    .isEqualTo("region EU: error_rate 40.0% vs usual 5.0% ± 1.0% (+35.0σ)");
        }
    }

    @Test
    void aWindowIsJudgedByTheWindowsFinalBeforeItNotByWhatArrivedSince() throws Exception {
        try (var h = harness()) {
            warmUp(h, "EU", 35);
            for (int m = 35; m < 40; m++) {
                h.processElement(window("EU", m, 100, 90, 20.0), 0);
            }
            h.getOutput().clear();
            h.processElement(window("EU", 40, 100, 50, 20.0), 0);
            // Minute 44 fires before minute 40's late update (minutes 41-43 had no traffic):
            // it learns minutes 35-38, which minute 40's baseline (up to minute 35) leaves out.
            h.processElement(window("EU", 44, 100, 95, 20.0), 0);
            h.processElement(withLate(window("EU", 40, 100, 50, 20.0), 100, 50, 20.0), 0);

            List<AlertRow> rows = rows(h, "ANOMALY_ERROR_RATE");
            assertThat(rows)
                    .extracting(AlertRow::windowStart, AlertRow::windowEvents)
                    .containsExactly(
                            tuple(START + 40 * MINUTE, 100L), tuple(START + 40 * MINUTE, 200L));
            assertThat(rows.get(1).expectedValue()).isEqualTo(rows.get(0).expectedValue());
            assertThat(rows.get(0).expectedValue()).isEqualTo(0.05, within());
        }
    }

    @Test
    void theSameLogGivesTheSameAlertsWhateverOrderFinalWindowsArriveIn() throws Exception {
        List<WindowCounts> windows = traffic(new Random(7), 90);
        List<AlertRow> inOrder = run(windows);
        assertThat(inOrder).extracting(AlertRow::change).contains(Change.RAISE);

        Random random = new Random(11);
        for (int round = 0; round < 20; round++) {
            // Firings of windows that are open at the same time (within the allowed lateness
            // of each other) may arrive in any order.
            List<WindowCounts> shuffled = new ArrayList<>(windows);
            for (int i = 0; i + 1 < shuffled.size(); i++) {
                long apart = shuffled.get(i + 1).windowStart - shuffled.get(i).windowStart;
                if (random.nextBoolean() && apart > 0 && apart < LATENESS) {
                    Collections.swap(shuffled, i, i + 1);
                }
            }
            assertThat(sorted(run(shuffled))).isEqualTo(sorted(inOrder));
        }
    }

    @Test
    void restoredFromASnapshotMidWayItWritesWhatAnUninterruptedRunWrites() throws Exception {
        List<WindowCounts> windows = traffic(new Random(3), 90);
        List<AlertRow> uninterrupted = run(windows);

        OperatorSubtaskState snapshot;
        List<AlertRow> rows = new ArrayList<>();
        try (var h = harness()) {
            for (WindowCounts w : windows.subList(0, 50)) {
                h.processElement(w, 0);
            }
            snapshot = h.snapshot(1, 1);
            rows.addAll(h.extractOutputValues());
        }
        try (var h = harness(false)) {
            h.initializeState(snapshot);
            h.open();
            for (WindowCounts w : windows.subList(50, windows.size())) {
                h.processElement(w, 0);
            }
            rows.addAll(h.extractOutputValues());
        }
        assertThat(rows).isEqualTo(uninterrupted);
    }

    @Test
    void stateHoldsOnlyTheOpenWindowsAndTheBaselinesTheyNeed() throws Exception {
        try (var h = harness()) {
            warmUp(h, "EU", 100);
            // Pending: minutes 95-99 (not final before minute 100 fires); baselines: cut-offs
            // from minute 89 on (the oldest an open window can still ask for) to 95.
            assertThat(h.numKeyedStateEntries()).isLessThanOrEqualTo(5 + 8);
        }
    }

    private static List<WindowCounts> traffic(Random random, int minutes) {
        List<WindowCounts> windows = new ArrayList<>();
        for (int m = 0; m < minutes; m++) {
            long total = 200 + random.nextInt(40);
            long ok = m >= 60 && m < 64 ? total / 2 : total - random.nextInt(15);
            double speed = m >= 75 && m < 78 ? 5.0 : 19 + 2 * random.nextDouble();
            windows.add(window("EU", m, total, ok, speed));
            if (m % 7 == 3) {
                windows.add(withLate(window("EU", m, total, ok, speed), 30, 5, 10.0));
            }
        }
        return windows;
    }

    private static List<AlertRow> run(List<WindowCounts> firings) throws Exception {
        try (var h = harness()) {
            for (WindowCounts w : firings) {
                h.processElement(w, 0);
            }
            return h.extractOutputValues();
        }
    }

    private static List<String> sorted(List<AlertRow> rows) {
        return rows.stream().map(AlertRow::toString).sorted().toList();
    }

    private static void warmUp(
            KeyedOneInputStreamOperatorTestHarness<String, WindowCounts, AlertRow> h,
            String region,
            int minutes)
            throws Exception {
        for (int m = 0; m < minutes; m++) {
            h.processElement(window(region, m, 100, 95, 20.0), 0);
        }
        assertThat(h.extractOutputValues()).isEmpty();
        h.getOutput().clear();
    }

    /**
     * Two days of a quiet hour (100 downloads a minute) then a busy one (1,000): with the
     * hour-of-day profile the busy hour is normal on its second day and a quiet minute in it is the
     * anomaly; with one baseline for all hours the busy hour alerts every minute.
     */
    @Test
    void withTheHourOfDayProfileEachHourIsJudgedByItsOwnBaseline() throws Exception {
        for (boolean hourly : new boolean[] {true, false}) {
            try (var h = harness(SETTINGS.withHourOfDay(hourly))) {
                Random random = new Random(24);
                for (int day = 0; day < 2; day++) {
                    for (int hour = 0; hour < 2; hour++) {
                        for (int m = 0; m < 60; m++) {
                            int minute = day * 24 * 60 + hour * 60 + m;
                            long usual = hour == 0 ? 100 : 1_000;
                            long total =
                                    day == 1 && hour == 1 && m == 30
                                            ? 100
                                            : usual + random.nextInt((int) usual / 30);
                            h.processElement(
                                    window("EU", minute, total, total * 95 / 100, 20.0), 0);
                        }
                    }
                }
                List<Long> secondBusyHour =
                        rows(h, "ANOMALY_VOLUME").stream()
                                .filter(a -> a.change() == Change.RAISE)
                                .map(AlertRow::windowStart)
                                .filter(t -> t >= START + (24 + 1) * 60 * MINUTE)
                                .toList();
                if (hourly) {
                    assertThat(secondBusyHour).containsExactly(START + (25 * 60 + 30) * MINUTE);
                } else {
                    assertThat(secondBusyHour).hasSize(59);
                }
            }
        }
    }

    private static List<AlertRow> rows(
            KeyedOneInputStreamOperatorTestHarness<String, WindowCounts, AlertRow> h, String type) {
        return h.extractOutputValues().stream().filter(a -> a.alertType().equals(type)).toList();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, WindowCounts, AlertRow> harness()
            throws Exception {
        return harness(true);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, WindowCounts, AlertRow> harness(
            AnomalySettings settings) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new AnomalyDetector(MINUTE, LATENESS, settings)),
                        (WindowCounts c) -> c.key,
                        Types.STRING);
        h.open();
        return h;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, WindowCounts, AlertRow> harness(
            boolean open) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new AnomalyDetector(MINUTE, LATENESS, SETTINGS)),
                        c -> c.key,
                        Types.STRING);
        if (open) {
            h.open();
        }
        return h;
    }

    /** A firing with only on-time events. */
    static WindowCounts window(
            String region, int minute, long total, long successful, double speedMbps) {
        WindowCounts c = new WindowCounts(Dimension.REGION, region, "", START + minute * MINUTE);
        c.total = total;
        c.successful = successful;
        c.failed = total - successful;
        c.speedMicrosSum = Math.round(speedMbps * 1_000_000) * total;
        c.onTimeTotal = total;
        c.onTimeSuccessful = successful;
        c.onTimeSpeedMicrosSum = c.speedMicrosSum;
        return c;
    }

    /** The next firing of {@code c}'s window, after a late update. */
    static WindowCounts withLate(WindowCounts c, long total, long successful, double speedMbps) {
        WindowCounts next = new WindowCounts(c.dimension, c.key, c.detail, c.windowStart);
        next.merge(c);
        next.total += total;
        next.successful += successful;
        next.failed += total - successful;
        next.speedMicrosSum += Math.round(speedMbps * 1_000_000) * total;
        return next;
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-9);
    }
}
