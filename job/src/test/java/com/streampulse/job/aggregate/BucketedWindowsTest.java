package com.streampulse.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.alerts.AlertRules;
import com.streampulse.job.alerts.AlertThresholds;
import com.streampulse.job.records.AlertRow;
import com.streampulse.job.records.RegionHealth;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.records.WindowCounts.Dimension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperatorBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link BucketedWindows} as the job builds it (1-minute windows, 5 minutes of lateness, {@link
 * WindowResults} with the region alert rules), in a harness: what fires when, what is dropped,
 * which timers and state it keeps, and that it writes what Flink's {@code WindowOperator} wrote
 * before it, step by step.
 */
class BucketedWindowsTest {

    private static final long MINUTE = 60_000;
    private static final long LATENESS = Duration.ofMinutes(5).toMillis();
    private static final long TEN = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();
    private static final long TEN_LAST = TEN + MINUTE - 1;
    private static final long TEN_ONE = TEN + MINUTE;

    private static final long TEN_ONE_LAST = TEN_ONE + MINUTE - 1;

    /** The watermark at which window [10:00, 10:01) is purged. */
    private static final long PURGE = TEN_LAST + LATENESS;

    private static final KeySelector<WindowCounts, String> REGION = c -> c.key;

    private static final OutputTag<WindowCounts> DROPPED =
            new OutputTag<>("dropped", TypeInformation.of(WindowCounts.class));

    private final List<AbstractStreamOperatorTestHarness<?>> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AbstractStreamOperatorTestHarness<?> h : opened) {
            h.close();
        }
    }

    @Test
    void onTimeWindowFiresOnceWithEveryKeyOfTheBucket() throws Exception {
        var h = bucketed(1, null);
        h.processElement(partial("EU-Berlin", 6, 5), TEN_LAST);
        h.processElement(partial("US-Ohio", 4, 4), TEN_LAST);
        h.processElement(partial("EU-Berlin", 4, 3), TEN_LAST);

        h.processWatermark(TEN_LAST - 1);
        assertThat(h.extractOutputValues()).isEmpty();
        h.processWatermark(TEN_LAST);
        h.processWatermark(TEN_LAST + 1);

        assertThat(h.extractOutputValues())
                .containsExactlyInAnyOrder(
                        new RegionHealth(TEN, TEN_ONE, "EU-Berlin", 10, 8, 2, 0.8, 20.0, 30.0),
                        new RegionHealth(TEN, TEN_ONE, "US-Ohio", 4, 4, 0, 1.0, 20.0, 30.0));
    }

    @Test
    void lateUpdateWithinTheLatenessFiresItsKeyAgainAtOnce() throws Exception {
        var h = bucketed(1, null);
        h.processElement(partial("EU-Berlin", 10, 10), TEN_LAST);
        h.processElement(partial("US-Ohio", 4, 4), TEN_LAST);
        h.processWatermark(TEN_LAST + 30_000);
        h.getOutput().clear();

        h.processElement(late("EU-Berlin", 2, 0), TEN_LAST);

        // Only the updated key, with every count so far, stamped with the window's last ms.
        assertThat(h.getOutput())
                .containsExactly(
                        new StreamRecord<>(
                                new RegionHealth(
                                        TEN,
                                        TEN_ONE,
                                        "EU-Berlin",
                                        12,
                                        10,
                                        2,
                                        10.0 / 12,
                                        20.0,
                                        30.0),
                                TEN_LAST));
    }

    @Test
    void partialOfAWindowPurgedGoesToTheDroppedSideOutputUnchanged() throws Exception {
        var h = bucketed(1, null);
        h.processElement(partial("EU-Berlin", 10, 10), TEN_LAST);
        h.processWatermark(PURGE - 1);
        WindowCounts oneMillisecondLate = late("EU-Berlin", 1, 1);
        h.processElement(oneMillisecondLate, TEN_LAST);
        h.processWatermark(PURGE);
        WindowCounts tooLate = late("EU-Berlin", 3, 1);

        h.processElement(tooLate, TEN_LAST);

        assertThat(h.extractOutputValues())
                .extracting(RegionHealth::totalDownloads)
                .containsExactly(10L, 11L);
        // Copied by the harness, so compared as text (WindowCounts has no equals), with its stamp.
        assertThat(h.getSideOutput(DROPPED))
                .extracting(r -> r.getValue().toString() + " @" + r.getTimestamp())
                .containsExactly(tooLate + " @" + TEN_LAST);
    }

    @Test
    void oneFiringAndOnePurgeTimerPerBucketAndWindowAndNoStateAfterThePurge() throws Exception {
        var h = bucketed(1, null);
        for (int i = 0; i < 50; i++) {
            h.processElement(partial("region-" + i, 1, 1), TEN_LAST);
            WindowCounts next = partial("region-" + i, 1, 1);
            next.windowStart = TEN_ONE;
            h.processElement(next, TEN_LAST + MINUTE);
        }
        // Two windows of 50 keys in one bucket: 2 × (fire + purge), not 2 × 50 × 2.
        assertThat(h.numEventTimeTimers()).isEqualTo(4);

        h.processWatermark(TEN_LAST + MINUTE);
        assertThat(h.extractOutputValues()).hasSize(100);
        assertThat(h.numEventTimeTimers()).isEqualTo(2);

        h.processWatermark(PURGE + MINUTE);
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.numKeyedStateEntries()).isZero();
    }

    @Test
    void restoredMidWindowFiresWithTheCountsFromBeforeAndAfter() throws Exception {
        var h = bucketed(1, null);
        h.processElement(partial("EU-Berlin", 6, 5), TEN_LAST);
        h.processWatermark(TEN + 30_000);
        OperatorSubtaskState snapshot = checkpoint(h, 1);

        var restored = bucketed(1, snapshot);
        restored.processElement(partial("EU-Berlin", 4, 3), TEN_LAST);
        restored.processElement(partial("US-Ohio", 1, 1), TEN_LAST);
        restored.processWatermark(TEN_LAST);

        assertThat(restored.extractOutputValues())
                .containsExactlyInAnyOrder(
                        new RegionHealth(TEN, TEN_ONE, "EU-Berlin", 10, 8, 2, 0.8, 20.0, 30.0),
                        new RegionHealth(TEN, TEN_ONE, "US-Ohio", 1, 1, 0, 1.0, 20.0, 30.0));
        restored.processWatermark(PURGE);
        assertThat(restored.numKeyedStateEntries()).isZero();
    }

    @Test
    void restoredAfterTheFiringALateUpdateFiresOnlyItsKeyBeforeAnyWatermark() throws Exception {
        var h = bucketed(1, null);
        h.processElement(partial("EU-Berlin", 10, 10), TEN_LAST);
        h.processElement(partial("US-Ohio", 4, 4), TEN_LAST);
        h.processWatermark(TEN_LAST + 30_000);
        OperatorSubtaskState snapshot = checkpoint(h, 1);

        // A restored operator's watermark starts from nothing: the window must not look open and
        // fire the whole bucket again at the next watermark.
        var restored = bucketed(1, snapshot);
        restored.processElement(late("EU-Berlin", 2, 0), TEN_LAST);
        restored.processWatermark(TEN_LAST + 40_000);

        assertThat(restored.extractOutputValues())
                .containsExactly(
                        new RegionHealth(
                                TEN, TEN_ONE, "EU-Berlin", 12, 10, 2, 10.0 / 12, 20.0, 30.0));
    }

    @Test
    void onTimePartialsWaitOnTheHeapAndTheFiringWritesTheirSums() throws Exception {
        var h = bucketed(1, null);
        h.processElement(partial("EU-Berlin", 6, 5), TEN_LAST);
        h.processElement(partial("US-Ohio", 4, 4), TEN_LAST);
        h.processElement(partial("EU-Berlin", 4, 3), TEN_LAST);
        assertThat(h.numKeyedStateEntries()).isZero();

        h.processWatermark(TEN_LAST);

        assertThat(h.extractOutputValues())
                .containsExactlyInAnyOrder(
                        new RegionHealth(TEN, TEN_ONE, "EU-Berlin", 10, 8, 2, 0.8, 20.0, 30.0),
                        new RegionHealth(TEN, TEN_ONE, "US-Ohio", 4, 4, 0, 1.0, 20.0, 30.0));
        // The bucket's window sums and its newest firing, written by the firing.
        assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        h.getOutput().clear();

        h.processElement(late("EU-Berlin", 2, 0), TEN_LAST);

        assertThat(h.extractOutputValues())
                .containsExactly(
                        new RegionHealth(
                                TEN, TEN_ONE, "EU-Berlin", 12, 8, 4, 8.0 / 12, 20.0, 30.0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void pendingSumsAreInTheSnapshotAndBothRunsFireTheSameRows(String backend) throws Exception {
        var h = bucketed(1, null, backend, BucketedWindows.MAX_PENDING_KEYS);
        h.processElement(partial("EU-Berlin", 6, 5), TEN_LAST);
        h.processElement(partial("US-Ohio", 4, 4), TEN_LAST);
        h.processWatermark(TEN + 30_000);
        OperatorSubtaskState snapshot = checkpoint(h, 1);
        var restored = bucketed(1, snapshot, backend, BucketedWindows.MAX_PENDING_KEYS);

        for (var run : List.of(h, restored)) {
            run.processElement(partial("EU-Berlin", 4, 3), TEN_LAST);
            run.processElement(partial("PL-Warsaw", 1, 1), TEN_LAST);
            run.processWatermark(TEN_LAST);

            assertThat(run.extractOutputValues())
                    .containsExactlyInAnyOrder(
                            new RegionHealth(TEN, TEN_ONE, "EU-Berlin", 10, 8, 2, 0.8, 20.0, 30.0),
                            new RegionHealth(TEN, TEN_ONE, "US-Ohio", 4, 4, 0, 1.0, 20.0, 30.0),
                            new RegionHealth(TEN, TEN_ONE, "PL-Warsaw", 1, 1, 0, 1.0, 20.0, 30.0));
        }
    }

    @Test
    void theSnapshotWritesThePendingSumsIntoState() throws Exception {
        var h = bucketed(2, null);
        h.processElement(partial("EU-Berlin", 6, 5), TEN_LAST);
        WindowCounts next = partial("US-Ohio", 4, 4);
        next.windowStart = TEN_ONE;
        h.processElement(next, TEN_ONE_LAST);
        assertThat(h.numKeyedStateEntries()).isZero();

        checkpoint(h, 1);

        // One window map per bucket and window, whichever buckets the two regions fall in.
        assertThat(h.numKeyedStateEntries()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void pastTheCapTheOldestWindowGoesToStateAndFiresMergedWithTheRest(String backend)
            throws Exception {
        var h = bucketed(1, null, backend, 3);
        WindowCounts later = partial("US-Ohio", 4, 4);
        later.windowStart = TEN_ONE;
        h.processElement(later, TEN_ONE_LAST);
        h.processElement(partial("EU-Berlin", 1, 1), TEN_LAST);
        h.processElement(partial("PL-Warsaw", 1, 1), TEN_LAST);
        // The fourth pending key: window 10:00's three go to state, 10:01's stays on the heap.
        h.processElement(partial("FR-Paris", 1, 0), TEN_LAST);
        if (backend.equals("heap")) {
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        }
        // On the heap again: a key also in state, and a key new to it.
        h.processElement(partial("EU-Berlin", 2, 2), TEN_LAST);
        h.processElement(partial("ES-Madrid", 5, 5), TEN_LAST);

        h.processWatermark(TEN_LAST);

        assertThat(h.extractOutputValues())
                .containsExactlyInAnyOrder(
                        new RegionHealth(TEN, TEN_ONE, "EU-Berlin", 3, 3, 0, 1.0, 20.0, 30.0),
                        new RegionHealth(TEN, TEN_ONE, "PL-Warsaw", 1, 1, 0, 1.0, 20.0, 30.0),
                        new RegionHealth(TEN, TEN_ONE, "FR-Paris", 1, 0, 1, 0.0, 20.0, 30.0),
                        new RegionHealth(TEN, TEN_ONE, "ES-Madrid", 5, 5, 0, 1.0, 20.0, 30.0));
        h.getOutput().clear();

        // The firing wrote the merged sums: late updates count them.
        h.processElement(late("EU-Berlin", 1, 0), TEN_LAST);
        h.processElement(late("ES-Madrid", 1, 0), TEN_LAST);
        h.processWatermark(TEN_ONE_LAST);

        assertThat(h.extractOutputValues())
                .containsExactlyInAnyOrder(
                        new RegionHealth(TEN, TEN_ONE, "EU-Berlin", 4, 3, 1, 0.75, 20.0, 30.0),
                        new RegionHealth(TEN, TEN_ONE, "ES-Madrid", 6, 5, 1, 5.0 / 6, 20.0, 30.0),
                        new RegionHealth(
                                TEN_ONE, TEN_ONE + MINUTE, "US-Ohio", 4, 4, 0, 1.0, 20.0, 30.0));
        h.processWatermark(PURGE + MINUTE);
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void declaresSplittableTimers() {
        assertThat(operator().useSplittableTimers()).isTrue();
    }

    /**
     * Random partials (on time, late within the lateness, beyond it) of random keys and windows,
     * interleaved with random watermarks, into this operator and into the WindowOperator
     * configuration the job had: after every step both have written the same rows, alert rows and
     * dropped partials, and the same records in the same multiset.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void writesWhatFlinksWindowOperatorWrote(long seed) throws Exception {
        compareWithFlinksWindowOperator(seed, "heap", BucketedWindows.MAX_PENDING_KEYS, 0);
    }

    /**
     * The same, with a heap cap of a few keys (spills all along) and a snapshot and restore of both
     * operators every hundred steps or so, restored runs continuing from the same watermark.
     */
    @ParameterizedTest
    @CsvSource({"1,heap", "2,heap", "3,rocksdb", "4,rocksdb"})
    void writesWhatFlinksWindowOperatorWroteAcrossSpillsAndRestores(long seed, String backend)
            throws Exception {
        compareWithFlinksWindowOperator(seed, backend, 7, 1);
    }

    /**
     * @param restorePercent of the steps, how many snapshot and restore both operators
     */
    private void compareWithFlinksWindowOperator(
            long seed, String backend, int maxPendingKeys, int restorePercent) throws Exception {
        var bucketed = bucketed(8, null, backend, maxPendingKeys);
        var flinks = windowOperator(null);
        Random random = new Random(seed);
        long watermark = TEN;
        for (int step = 0; step < 3_000; step++) {
            int draw = random.nextInt(100);
            if (draw < 10) {
                watermark += random.nextInt(90_000);
                bucketed.processWatermark(watermark);
                flinks.processWatermark(watermark);
            } else if (draw < 10 + restorePercent) {
                OperatorSubtaskState ours = checkpoint(bucketed, step);
                OperatorSubtaskState theirs = checkpoint(flinks, step);
                assertThat(drain(bucketed)).as("step %d", step).isEmpty();
                drain(flinks);
                bucketed = bucketed(8, ours, backend, maxPendingKeys);
                flinks = windowOperator(theirs);
                bucketed.processWatermark(watermark);
                flinks.processWatermark(watermark);
            } else {
                long window = watermark - Math.floorMod(watermark, MINUTE);
                long start = window + MINUTE * (random.nextInt(9) - 7);
                WindowCounts c = randomPartial(random, start);
                long timestamp = start + MINUTE - 1;
                bucketed.processElement(copy(c), timestamp);
                flinks.processElement(copy(c), timestamp);
            }
            assertThat(drain(bucketed))
                    .as("step %d", step)
                    .containsExactlyInAnyOrderElementsOf(drain(flinks));
        }
    }

    private static BucketedWindows<RegionHealth> operator() {
        return operator(BucketedWindows.MAX_PENDING_KEYS);
    }

    private static BucketedWindows<RegionHealth> operator(int maxPendingKeys) {
        return new BucketedWindows<>(
                MINUTE,
                LATENESS,
                REGION,
                new WindowResults<>(
                        RegionHealth::of, AlertRules.SCOPE_REGION, AlertThresholds.DEFAULTS),
                DROPPED,
                maxPendingKeys);
    }

    private KeyedOneInputStreamOperatorTestHarness<Integer, WindowCounts, RegionHealth> bucketed(
            int buckets, OperatorSubtaskState restoreFrom) throws Exception {
        return bucketed(buckets, restoreFrom, "heap", BucketedWindows.MAX_PENDING_KEYS);
    }

    /**
     * @param backend {@code heap} (the harness's default, whose state entries can be counted) or
     *     {@code rocksdb} (the job's)
     */
    private KeyedOneInputStreamOperatorTestHarness<Integer, WindowCounts, RegionHealth> bucketed(
            int buckets, OperatorSubtaskState restoreFrom, String backend, int maxPendingKeys)
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator(maxPendingKeys),
                        BucketedWindows.buckets(REGION, buckets),
                        Types.INT);
        opened.add(h);
        if (backend.equals("rocksdb")) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        if (restoreFrom != null) {
            h.setup();
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    private KeyedOneInputStreamOperatorTestHarness<String, WindowCounts, RegionHealth>
            windowOperator(OperatorSubtaskState restoreFrom) throws Exception {
        TypeInformation<WindowCounts> counts = TypeInformation.of(WindowCounts.class);
        WindowOperatorBuilder<WindowCounts, String, TimeWindow> builder =
                new WindowOperatorBuilder<>(
                        TumblingEventTimeWindows.of(Duration.ofMillis(MINUTE)),
                        EventTimeTrigger.create(),
                        new ExecutionConfig(),
                        counts,
                        REGION,
                        Types.STRING);
        builder.allowedLateness(Duration.ofMillis(LATENESS));
        builder.sideOutputLateData(DROPPED);
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        builder.aggregate(
                                new MergeCounts(),
                                new WindowResults<RegionHealth>(
                                        RegionHealth::of,
                                        AlertRules.SCOPE_REGION,
                                        AlertThresholds.DEFAULTS),
                                counts),
                        REGION,
                        Types.STRING);
        opened.add(h);
        if (restoreFrom != null) {
            h.setup();
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    /** What a task does at a checkpoint: the work before the barrier, then the snapshot. */
    private static OperatorSubtaskState checkpoint(AbstractStreamOperatorTestHarness<?> h, long id)
            throws Exception {
        h.prepareSnapshotPreBarrier(id);
        return h.snapshot(id, id);
    }

    /** Everything written since the last drain, as comparable text: rows, alerts, dropped. */
    private static List<String> drain(
            KeyedOneInputStreamOperatorTestHarness<?, WindowCounts, RegionHealth> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add("row " + r.getValue() + " @" + r.getTimestamp());
            }
        }
        h.getOutput().clear();
        Queue<StreamRecord<AlertRow>> alerts = h.getSideOutput(WindowResults.ALERTS);
        if (alerts != null) {
            alerts.forEach(r -> out.add("alert " + r.getValue() + " @" + r.getTimestamp()));
            alerts.clear();
        }
        Queue<StreamRecord<WindowCounts>> dropped = h.getSideOutput(DROPPED);
        if (dropped != null) {
            dropped.forEach(r -> out.add("dropped " + r.getValue() + " @" + r.getTimestamp()));
            dropped.clear();
        }
        return out;
    }

    private static WindowCounts randomPartial(Random random, long start) {
        WindowCounts c =
                new WindowCounts(Dimension.REGION, "region-" + random.nextInt(30), "", start);
        c.total = 1 + random.nextInt(10);
        c.successful = random.nextInt((int) c.total + 1);
        c.failed = c.total - c.successful;
        c.speedMicrosSum = c.total * (1 + random.nextInt(30)) * 1_000_000L;
        c.durationSecondsSum = c.total * 30;
        if (random.nextBoolean()) {
            c.onTimeTotal = c.total;
            c.onTimeSuccessful = c.successful;
            c.onTimeSpeedMicrosSum = c.speedMicrosSum;
        }
        return c;
    }

    private static WindowCounts copy(WindowCounts c) {
        return new WindowCounts().merge(c);
    }

    /** An on-time partial of {@code total} downloads at 20 Mbps and 30 s each in window 10:00. */
    private static WindowCounts partial(String key, long total, long successful) {
        WindowCounts c = late(key, total, successful);
        c.onTimeTotal = total;
        c.onTimeSuccessful = successful;
        c.onTimeSpeedMicrosSum = c.speedMicrosSum;
        return c;
    }

    /** The same, from late updates only. */
    private static WindowCounts late(String key, long total, long successful) {
        WindowCounts c = new WindowCounts(Dimension.REGION, key, "", TEN);
        c.total = total;
        c.successful = successful;
        c.failed = total - successful;
        c.speedMicrosSum = total * 20_000_000L;
        c.durationSecondsSum = total * 30;
        c.successfulSizeMb = successful * 100;
        return c;
    }
}
