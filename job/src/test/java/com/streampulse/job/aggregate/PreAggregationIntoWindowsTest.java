package com.streampulse.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.alerts.AlertRules;
import com.streampulse.job.alerts.AlertThresholds;
import com.streampulse.job.records.Download;
import com.streampulse.job.records.Download.Status;
import com.streampulse.job.records.Ingested;
import com.streampulse.job.records.RegionHealth;
import com.streampulse.job.records.RejectedEvent;
import com.streampulse.job.records.RejectedEvent.Reason;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.records.WindowCounts.Dimension;
import com.streampulse.job.time.BacklogProbe;
import com.streampulse.job.time.EventTimeOperator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event-time operator, the pre-aggregator and the region windows wired by hand, records and
 * watermarks forwarded in order as the job's chain and shuffle forward them. Holds the event- time
 * operator to its promise that it decides lateness exactly as the job's windows ({@link
 * BucketedWindows}) do: an event it lets through is never dropped by the window, and what it
 * rejects as LATE the window would have dropped.
 */
class PreAggregationIntoWindowsTest {

    private static final long MINUTE = 60_000;
    private static final Duration LATENESS = Duration.ofMinutes(5);
    private static final long TEN = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();
    private static final long TEN_LAST = TEN + MINUTE - 1;

    /** The watermark at which window [10:00, 10:01) is purged. */
    private static final long PURGE = TEN_LAST + LATENESS.toMillis();

    private OneInputStreamOperatorTestHarness<Ingested, Download> time;
    private OneInputStreamOperatorTestHarness<Download, WindowCounts> pre;
    private KeyedOneInputStreamOperatorTestHarness<Integer, WindowCounts, RegionHealth> windows;
    private int forwardedPartials;
    private long offset;

    @BeforeEach
    void open() throws Exception {
        time =
                new OneInputStreamOperatorTestHarness<>(
                        new EventTimeOperator(
                                "content-downloads",
                                MINUTE,
                                LATENESS.toMillis(),
                                10_000,
                                30_000,
                                200,
                                BacklogProbe.NONE));
        time.open();
        pre = new OneInputStreamOperatorTestHarness<>(new PreAggregator(MINUTE, 1_000));
        pre.open();
        KeySelector<WindowCounts, String> key = c -> c.key;
        windows =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new BucketedWindows<>(
                                MINUTE,
                                LATENESS.toMillis(),
                                key,
                                new WindowResults<RegionHealth>(
                                        RegionHealth::of,
                                        AlertRules.SCOPE_REGION,
                                        AlertThresholds.DEFAULTS),
                                new OutputTag<>("dropped", TypeInformation.of(WindowCounts.class))),
                        BucketedWindows.buckets(key, StreamPulseJob.MAX_PARALLELISM),
                        Types.INT);
        windows.open();
    }

    @AfterEach
    void close() throws Exception {
        time.close();
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

        assertThat(rejected()).isEmpty();
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

        assertThat(rejected()).extracting(RejectedEvent::reason).containsExactly(Reason.LATE);
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
                        null,
                        false);
        this.time.processElement(Ingested.valid(d), time);
        forward();
    }

    /** Event time reaches {@code at}; everything it lets out goes on down the chain. */
    private void watermark(long at) throws Exception {
        time.processWatermark(at);
        forward();
    }

    private void checkpoint() throws Exception {
        pre.prepareSnapshotPreBarrier(1);
        forward();
    }

    /** Drains each operator's output into the next, in order, records and watermarks alike. */
    private void forward() throws Exception {
        Object o;
        while ((o = time.getOutput().poll()) != null) {
            if (o instanceof Watermark w) {
                pre.processWatermark(w);
            } else if (o instanceof StreamRecord<?> r) {
                pre.processElement((Download) r.getValue(), r.getTimestamp());
            }
        }
        while ((o = pre.getOutput().poll()) != null) {
            if (o instanceof Watermark w) {
                windows.processWatermark(w);
            } else if (o instanceof StreamRecord<?> r
                    && ((WindowCounts) r.getValue()).dimension == Dimension.REGION) {
                windows.processElement((WindowCounts) r.getValue(), r.getTimestamp());
                forwardedPartials++;
            }
        }
    }

    private List<RejectedEvent> rejected() {
        Queue<StreamRecord<RejectedEvent>> out = time.getSideOutput(EventTimeOperator.REJECTED);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }
}
