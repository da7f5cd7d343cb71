package com.streampulse.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.streampulse.job.alerts.AlertRules;
import com.streampulse.job.alerts.AlertThresholds;
import com.streampulse.job.records.AlertRow;
import com.streampulse.job.records.AlertRow.Change;
import com.streampulse.job.records.ContentStats;
import com.streampulse.job.records.DeviceStats;
import com.streampulse.job.records.RegionHealth;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.records.WindowCounts.Dimension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WindowResults} inside the same window operator StreamPulseJob.windows() builds ({@link
 * BucketedWindows}): 1-minute tumbling event-time windows, 5 minutes allowed lateness. Its input is
 * what PreAggregator emits: partial counts stamped with their window's last ms, on-time ones
 * ({@link #partial}) and late updates ({@link #late}).
 */
class WindowResultsTest {

    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final Duration LATENESS = Duration.ofMinutes(5);

    private static final long TEN = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();
    private static final long TEN_LAST = TEN + 59_999;
    private static final long TEN_ONE = TEN + 60_000;

    /** The window's state goes when the watermark reaches this. */
    private static final long CLEANUP = TEN_LAST + LATENESS.toMillis();

    private static final TypeInformation<WindowCounts> COUNTS =
            TypeInformation.of(WindowCounts.class);

    private KeyedOneInputStreamOperatorTestHarness<Integer, WindowCounts, ?> harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void onTimeFiringEmitsOneRowAndItsAlert() throws Exception {
        var h = regionHarness();
        // Two partials, as two pre-aggregator subtasks would send them: 8 of 10 successful.
        h.processElement(partial("EU-Berlin", 6, 5, 1), TEN_LAST);
        h.processElement(partial("EU-Berlin", 4, 3, 1), TEN_LAST);

        h.processWatermark(TEN_LAST - 1);
        assertThat(h.extractOutputValues()).isEmpty();

        h.processWatermark(TEN_LAST);

        assertThat(h.extractOutputValues())
                .containsExactly(
                        new RegionHealth(TEN, TEN_ONE, "EU-Berlin", 10, 8, 2, 0.8, 20.0, 30.0));
        assertThat(alerts())
                .containsExactly(
                        new AlertRow(
                                Change.RAISE,
                                "HIGH_ERROR_RATE",
                                "WARNING",
                                "region EU-Berlin: error rate 20.0% (2 of 10 downloads not"
                                        + " successful) above 10%",
                                "region",
                                "EU-Berlin",
                                "EU-Berlin",
                                null,
                                "error_rate",
                                0.2,
                                0.10,
                                TEN,
                                TEN_ONE,
                                10));
    }

    @Test
    void lateElementRefiresWithUpdatedCountsAndRaisesTheSeverity() throws Exception {
        var h = regionHarness();
        h.processElement(partial("EU-Berlin", 10, 8, 2), TEN_LAST);
        h.processWatermark(TEN_LAST + 90_000);

        // 3 minutes later, within the lateness: one more failure, 8 of 11 = 0.727 < 0.80.
        h.processElement(late("EU-Berlin", 1, 0, 1), TEN_LAST);

        assertThat(h.extractOutputValues())
                .extracting(RegionHealth::totalDownloads, RegionHealth::failedDownloads)
                .containsExactly(tuple(10L, 2L), tuple(11L, 3L));
        assertThat(errorRateAlerts())
                .extracting(AlertRow::severity, AlertRow::thresholdValue, AlertRow::resolved)
                .containsExactly(tuple("WARNING", 0.10, false), tuple("CRITICAL", 0.20, false));
        assertThat(errorRateAlerts().get(1).metricValue()).isEqualTo(3.0 / 11);
        assertThat(errorRateAlerts().get(1).message())
                .isEqualTo(
                        "region EU-Berlin: error rate 27.3% (3 of 11 downloads not successful)"
                                + " above 20%");
    }

    @Test
    void lateElementThatMakesTheRulePassResolvesTheAlertWithItsOnTimeSeverity() throws Exception {
        var h = regionHarness();
        h.processElement(partial("EU-Berlin", 10, 8, 2), TEN_LAST);
        h.processWatermark(TEN_LAST);

        // Ten late successes: 18 of 20 = 0.90, no longer below 0.90.
        h.processElement(late("EU-Berlin", 10, 10, 0), TEN_LAST);

        assertThat(errorRateAlerts()).hasSize(2);
        assertThat(errorRateAlerts().get(1))
                .isEqualTo(
                        new AlertRow(
                                Change.RESOLVE,
                                "HIGH_ERROR_RATE",
                                "WARNING", // what the on-time events gave
                                "resolved: region EU-Berlin: error rate 10.0% (2 of 20 downloads"
                                        + " not successful) above 10%",
                                "region",
                                "EU-Berlin",
                                "EU-Berlin",
                                null,
                                "error_rate",
                                0.1,
                                0.10,
                                TEN,
                                TEN_ONE,
                                20));

        // Every firing writes the verdict again, idempotently: the same resolution, more events.
        h.processElement(late("EU-Berlin", 1, 1, 0), TEN_LAST);

        assertThat(h.extractOutputValues()).hasSize(3);
        assertThat(errorRateAlerts())
                .extracting(AlertRow::change, AlertRow::severity, AlertRow::windowEvents)
                .containsExactly(
                        tuple(Change.RAISE, "WARNING", 10L),
                        tuple(Change.RESOLVE, "WARNING", 20L),
                        tuple(Change.RESOLVE, "WARNING", 21L));
    }

    @Test
    void aReplayThatReadsTheLateDataInOneFiringEndsWithTheSameAlertRow() throws Exception {
        // The case: on time 4 of 5 successful (WARNING), then five late successes.
        var twoFirings = regionHarness();
        twoFirings.processElement(partial("EU-Berlin", 5, 4, 1), TEN_LAST);
        twoFirings.processWatermark(TEN_LAST);
        twoFirings.processElement(late("EU-Berlin", 5, 5, 0), TEN_LAST);
        AlertRow lastOfTwo = errorRateAlerts().get(errorRateAlerts().size() - 1);
        twoFirings.close();

        // A replay after a failure reads the late five before the next watermark: one firing.
        var oneFiring = regionHarness();
        oneFiring.processElement(partial("EU-Berlin", 5, 4, 1), TEN_LAST);
        oneFiring.processElement(late("EU-Berlin", 5, 5, 0), TEN_LAST);
        oneFiring.processWatermark(TEN_LAST);

        // 9 of 10 holds the rule, the on-time 4 of 5 broke it: resolved, as WARNING, in both.
        assertThat(errorRateAlerts()).singleElement().isEqualTo(lastOfTwo);
        assertThat(lastOfTwo.change()).isEqualTo(Change.RESOLVE);
        assertThat(lastOfTwo.severity()).isEqualTo("WARNING");
    }

    @Test
    void windowThatNeverBreaksARuleRaisesNothingAndWithdrawsOnLateUpdates() throws Exception {
        var h = regionHarness();
        h.processElement(partial("EU-Berlin", 4, 0, 4), TEN_LAST); // too few events to judge
        h.processWatermark(TEN_LAST);
        assertThat(alerts()).isEmpty();

        h.processElement(late("EU-Berlin", 46, 46, 0), TEN_LAST); // 46 of 50

        // An earlier firing (of this run or of one before a restore) may have raised the rules on
        // part of the late data; this one withdraws such rows, and inserts none.
        assertThat(h.extractOutputValues()).hasSize(2);
        assertThat(alerts())
                .extracting(AlertRow::change, AlertRow::alertType, AlertRow::severity)
                .containsExactly(
                        tuple(Change.WITHDRAW, "HIGH_ERROR_RATE", null),
                        tuple(Change.WITHDRAW, "SLOW_DOWNLOADS", null));
    }

    @Test
    void slowRegionRaisesBothRulesIndependently() throws Exception {
        var h = regionHarness();
        WindowCounts slowAndFailing = partial("AP-Tokyo", 5, 0, 5);
        slowAndFailing.speedMicrosSum = 5 * 2_000_000L;
        slowAndFailing.onTimeSpeedMicrosSum = slowAndFailing.speedMicrosSum;
        h.processElement(slowAndFailing, TEN_LAST);

        h.processWatermark(TEN_LAST);

        assertThat(alerts())
                .extracting(AlertRow::alertType, AlertRow::severity, AlertRow::metricValue)
                .containsExactly(
                        tuple("HIGH_ERROR_RATE", "CRITICAL", 1.0),
                        tuple("SLOW_DOWNLOADS", "WARNING", 2.0));
    }

    @Test
    void contentAlertsCarryTheContentIdAndNoRegion() throws Exception {
        var h =
                harness(
                        new WindowResults<ContentStats>(
                                ContentStats::of,
                                AlertRules.SCOPE_CONTENT,
                                AlertThresholds.DEFAULTS));
        harness = h;
        h.open();
        WindowCounts c = partial("mov_1", 5, 0, 5);
        c.detail = "Title One";
        c.speedMicrosSum = 0; // slow, but content has no SLOW_DOWNLOADS rule

        h.processElement(c, TEN_LAST);
        h.processWatermark(TEN_LAST);

        assertThat(h.extractOutputValues())
                .containsExactly(
                        new ContentStats(TEN, TEN_ONE, "mov_1", "Title One", 5, 0, 5, 0.0));
        assertThat(alerts())
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.scope()).isEqualTo("content");
                            assertThat(a.scopeKey()).isEqualTo("mov_1");
                            assertThat(a.contentId()).isEqualTo("mov_1");
                            assertThat(a.region()).isNull();
                            assertThat(a.alertType()).isEqualTo("HIGH_ERROR_RATE");
                        });
    }

    @Test
    void devicesHaveNoAlerts() throws Exception {
        var h =
                harness(
                        new WindowResults<DeviceStats>(
                                DeviceStats::of, null, AlertThresholds.DEFAULTS));
        harness = h;
        h.open();
        WindowCounts c = partial("Pixel 9", 5, 0, 5);
        c.detail = "Android 15";

        h.processElement(c, TEN_LAST);
        h.processWatermark(CLEANUP);

        assertThat(h.extractOutputValues())
                .containsExactly(
                        new DeviceStats(
                                TEN, TEN_ONE, "Pixel 9", "Android 15", 5, 0, 5, 20.0, 30.0));
        assertThat(alerts()).isEmpty();
        assertThat(h.numKeyedStateEntries()).isZero();
    }

    @Test
    void stateIsClearedAfterWindowPlusLateness() throws Exception {
        var h = regionHarness();
        h.processElement(partial("EU-Berlin", 10, 5, 5), TEN_LAST);
        h.processElement(partial("US-Ohio", 10, 2, 8), TEN_LAST);
        h.processWatermark(TEN_LAST);
        // The bucket's sums of the window (both keys) and the newest window it fired; the verdicts
        // need no state of their own.
        assertThat(h.numKeyedStateEntries()).isEqualTo(2);

        h.processWatermark(CLEANUP - 1);
        assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        assertThat(h.numEventTimeTimers()).isEqualTo(1); // the bucket's purge

        h.processWatermark(CLEANUP);

        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.extractOutputValues()).hasSize(2);
    }

    @Test
    void restoredMidLatenessALateElementStillUpdatesRowAndAlert() throws Exception {
        var h = regionHarness();
        h.processElement(partial("EU-Berlin", 10, 8, 2), TEN_LAST);
        h.processWatermark(TEN_LAST + 60_000);
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();

        var restored = regionHarness(snapshot);
        restored.processWatermark(TEN_LAST + 60_000);
        restored.processElement(late("EU-Berlin", 5, 2, 3), TEN_LAST);

        // 10 of 15 successful: the restored counts plus the late ones, and the WARNING raised
        // before the restore is now CRITICAL (one row, updated, not a second alert).
        assertThat(restored.extractOutputValues())
                .containsExactly(
                        new RegionHealth(
                                TEN, TEN_ONE, "EU-Berlin", 15, 10, 5, 10.0 / 15, 20.0, 30.0));
        assertThat(errorRateAlerts())
                .extracting(AlertRow::severity, AlertRow::metricValue)
                .containsExactly(tuple("CRITICAL", 5.0 / 15));

        // Passing the rule now resolves it, with the severity the on-time events gave.
        restored.processElement(late("EU-Berlin", 35, 35, 0), TEN_LAST); // 45 of 50
        assertThat(errorRateAlerts().get(1).change()).isEqualTo(Change.RESOLVE);
        assertThat(errorRateAlerts().get(1).severity()).isEqualTo("WARNING");

        restored.processWatermark(CLEANUP);
        assertThat(restored.numKeyedStateEntries()).isZero();
    }

    private KeyedOneInputStreamOperatorTestHarness<Integer, WindowCounts, RegionHealth>
            regionHarness() throws Exception {
        return regionHarness(null);
    }

    private KeyedOneInputStreamOperatorTestHarness<Integer, WindowCounts, RegionHealth>
            regionHarness(OperatorSubtaskState restoreFrom) throws Exception {
        var h =
                harness(
                        new WindowResults<RegionHealth>(
                                RegionHealth::of,
                                AlertRules.SCOPE_REGION,
                                AlertThresholds.DEFAULTS));
        if (restoreFrom != null) {
            h.setup();
            h.initializeState(restoreFrom);
        }
        h.open();
        harness = h;
        return h;
    }

    /**
     * The window operator of StreamPulseJob.windows(), in a harness, with every key in one bucket
     * (the job has one per key group; how many changes only where the state lies).
     */
    private static <R> KeyedOneInputStreamOperatorTestHarness<Integer, WindowCounts, R> harness(
            WindowResults<R> results) throws Exception {
        KeySelector<WindowCounts, String> key = c -> c.key;
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new BucketedWindows<>(
                        WINDOW.toMillis(),
                        LATENESS.toMillis(),
                        key,
                        results,
                        new OutputTag<>("dropped", COUNTS)),
                BucketedWindows.buckets(key, 1),
                Types.INT);
    }

    private List<AlertRow> alerts() {
        Queue<StreamRecord<AlertRow>> out = harness.getSideOutput(WindowResults.ALERTS);
        List<AlertRow> rows = new ArrayList<>();
        if (out != null) {
            out.forEach(r -> rows.add(r.getValue()));
        }
        return rows;
    }

    /** The HIGH_ERROR_RATE rows; region windows also write a verdict for SLOW_DOWNLOADS. */
    private List<AlertRow> errorRateAlerts() {
        return alerts().stream().filter(a -> a.alertType().equals("HIGH_ERROR_RATE")).toList();
    }

    /** An on-time partial of {@code total} downloads at 20 Mbps and 30 s each in window 10:00. */
    private static WindowCounts partial(String key, long total, long successful, long failed) {
        WindowCounts c = late(key, total, successful, failed);
        c.onTimeTotal = total;
        c.onTimeSuccessful = successful;
        c.onTimeSpeedMicrosSum = c.speedMicrosSum;
        return c;
    }

    /** The same, from late updates only. */
    private static WindowCounts late(String key, long total, long successful, long failed) {
        WindowCounts c = new WindowCounts(Dimension.REGION, key, "", TEN);
        c.total = total;
        c.successful = successful;
        c.failed = failed;
        c.speedMicrosSum = total * 20_000_000L;
        c.durationSecondsSum = total * 30;
        c.successfulSizeMb = successful * 100;
        return c;
    }
}
