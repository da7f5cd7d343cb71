package com.streampulse.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.alerts.AlertRules;
import com.streampulse.job.alerts.AlertThresholds;
import com.streampulse.job.records.Download;
import com.streampulse.job.records.Download.Status;
import com.streampulse.job.records.Ingested;
import com.streampulse.job.records.RegionHealth;
import com.streampulse.job.records.RejectedEvent;
import com.streampulse.job.records.RejectedEvent.Reason;
import com.streampulse.job.records.WindowCounts;
import java.time.Duration;
import java.time.Instant;
import java.util.Queue;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperatorBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pre-aggregator and the region window operator wired by hand, partials first and then the
 * watermark, as the job forwards them. Holds PreAggregator to its promise that it decides lateness
 * exactly as Flink's WindowOperator does: a partial it lets through is never dropped by the window,
 * and what it rejects as LATE the window would have dropped.
 */
class PreAggregationIntoWindowsTest {

    private static final long MINUTE = 60_000;
    private static final Duration LATENESS = Duration.ofMinutes(5);
    private static final long TEN = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();
    private static final long TEN_LAST = TEN + MINUTE - 1;

    /** The watermark at which window [10:00, 10:01) is purged. */
    private static final long PURGE = TEN_LAST + LATENESS.toMillis();

    private OneInputStreamOperatorTestHarness<Ingested, RejectedEvent> pre;
    private KeyedOneInputStreamOperatorTestHarness<String, WindowCounts, RegionHealth> windows;
    private int forwardedPartials;
    private long offset;

    @BeforeEach
    void open() throws Exception {
        pre =
                new OneInputStreamOperatorTestHarness<>(
                        new PreAggregator(
                                "content-downloads", MINUTE, LATENESS.toMillis(), 10_000, 1_000));
        pre.open();
        TypeInformation<WindowCounts> counts = TypeInformation.of(WindowCounts.class);
        KeySelector<WindowCounts, String> key = c -> c.key;
        WindowOperatorBuilder<WindowCounts, String, TimeWindow> builder =
                new WindowOperatorBuilder<>(
                        TumblingEventTimeWindows.of(Duration.ofMinutes(1)),
                        EventTimeTrigger.create(),
                        new ExecutionConfig(),
                        counts,
                        key,
                        Types.STRING);
        builder.allowedLateness(LATENESS);
        windows =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        builder.aggregate(
                                new MergeCounts(),
                                new WindowResults<RegionHealth>(
                                        RegionHealth::of,
                                        AlertRules.SCOPE_REGION,
                                        AlertThresholds.DEFAULTS),
                                counts),
                        key,
                        Types.STRING);
        windows.open();
    }

    @AfterEach
    void close() throws Exception {
        pre.close();
        windows.close();
    }

    @Test
    void eventCountedOneMillisecondBeforeThePurgeStillUpdatesTheRow() throws Exception {
        send(TEN + 1_000, Status.SUCCESS);
        watermark(TEN_LAST);
        watermark(PURGE - 1);

        send(TEN + 2_000, Status.FAILED);
        checkpoint();

        assertThat(pre.extractOutputValues()).isEmpty();
        assertThat(windows.extractOutputValues())
                .extracting(RegionHealth::totalDownloads)
                .containsExactly(1L, 2L);
    }

    @Test
    void eventRejectedAtThePurgeWatermarkIsOneTheWindowCouldNoLongerTake() throws Exception {
        send(TEN + 1_000, Status.SUCCESS);
        watermark(TEN_LAST);
        watermark(PURGE);
        assertThat(windows.numKeyedStateEntries()).isZero();

        send(TEN + 2_000, Status.FAILED);
        checkpoint();

        assertThat(pre.extractOutputValues())
                .extracting(RejectedEvent::reason)
                .containsExactly(Reason.LATE);
        assertThat(forwardedPartials).isEqualTo(1);
        assertThat(windows.extractOutputValues()).hasSize(1);
    }

    @Test
    void partialsFlushedByAWatermarkReachTheWindowBeforeIt() throws Exception {
        // Counted while the window is open, flushed by the watermark that closes it: the window
        // must fire with the event in it, not without.
        send(TEN + 59_999, Status.SUCCESS);
        send(TEN + 30_000, Status.FAILED);

        watermark(TEN_LAST);

        assertThat(windows.extractOutputValues())
                .containsExactly(
                        new RegionHealth(TEN, TEN + MINUTE, "EU-Berlin", 2, 1, 1, 0.5, 10.0, 10.0));
    }

    private void send(long time, Status status) throws Exception {
        Download d =
                new Download(
                        time,
                        "mov_1",
                        "Title One",
                        "EU-Berlin",
                        "Pixel 9",
                        "Android 15",
                        status,
                        10,
                        10_000_000L,
                        100,
                        0,
                        offset++,
                        time,
                        null);
        pre.processElement(Ingested.valid(d), time);
    }

    /** The pre-aggregator sees the watermark; its partials, then the watermark, go on. */
    private void watermark(long time) throws Exception {
        pre.processWatermark(time);
        forwardPartials();
        windows.processWatermark(time);
    }

    private void checkpoint() throws Exception {
        pre.prepareSnapshotPreBarrier(1);
        forwardPartials();
    }

    private void forwardPartials() throws Exception {
        Queue<StreamRecord<WindowCounts>> out = pre.getSideOutput(PreAggregator.REGION);
        if (out == null) {
            return;
        }
        StreamRecord<WindowCounts> r;
        while ((r = out.poll()) != null) {
            windows.processElement(r);
            forwardedPartials++;
        }
    }
}
