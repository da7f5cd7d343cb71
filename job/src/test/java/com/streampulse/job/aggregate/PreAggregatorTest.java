package com.streampulse.job.aggregate;

import static com.streampulse.job.records.Downloads.fields;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.Download;
import com.streampulse.job.records.Download.Status;
import com.streampulse.job.records.Ingested;
import com.streampulse.job.records.RejectedEvent;
import com.streampulse.job.records.RejectedEvent.Reason;
import com.streampulse.job.records.WindowCounts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PreAggregatorTest {

    private static final String TOPIC = "content-downloads";
    private static final long MINUTE = 60_000;
    private static final long LATENESS = 5 * MINUTE;
    private static final long DISORDER = 10_000;

    /** Window [10:00, 10:01) and its last millisecond. */
    private static final long TEN = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();

    private static final long TEN_LAST = TEN + MINUTE - 1;
    private static final long TEN_ONE = TEN + MINUTE;

    private OneInputStreamOperatorTestHarness<Ingested, RejectedEvent> harness;
    private long nextOffset;

    @BeforeEach
    void open() throws Exception {
        harness = harness(new PreAggregator(TOPIC, MINUTE, LATENESS, DISORDER, 1_000));
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void partialsLeaveWhenTheWatermarkReachesTheWindowsLastMillisecond() throws Exception {
        send(event(TEN + 1_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        send(event(TEN + 2_000, "mov_a", "EU-Berlin", Status.FAILED, 200));
        send(event(TEN + 59_999, "mov_b", "US-Ohio", Status.SUCCESS, 300));
        send(event(TEN_ONE, "mov_a", "EU-Berlin", Status.SUCCESS, 400)); // next window

        harness.processWatermark(TEN_LAST - 1);
        assertThat(side(PreAggregator.CONTENT)).isEmpty();

        harness.processWatermark(TEN_LAST);

        // Partials of one window leave in hash order.
        assertThat(side(PreAggregator.CONTENT))
                .containsExactlyInAnyOrder(
                        "mov_a|Title mov_a|" + TEN + "|2|1|1|20|20000000|100 @" + TEN_LAST,
                        "mov_b|Title mov_b|" + TEN + "|1|1|0|10|10000000|300 @" + TEN_LAST);
        assertThat(side(PreAggregator.REGION))
                .containsExactlyInAnyOrder(
                        "EU-Berlin||" + TEN + "|2|1|1|20|20000000|100 @" + TEN_LAST,
                        "US-Ohio||" + TEN + "|1|1|0|10|10000000|300 @" + TEN_LAST);
        assertThat(side(PreAggregator.DEVICE))
                .containsExactly(
                        "Pixel 9|Android 15|" + TEN + "|3|2|1|30|30000000|400 @" + TEN_LAST);
        assertThat(harness.getOutput()).contains(new Watermark(TEN_LAST));
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processWatermark(TEN_ONE + MINUTE - 1);

        assertThat(side(PreAggregator.CONTENT))
                .hasSize(3)
                .contains(
                        "mov_a|Title mov_a|"
                                + TEN_ONE
                                + "|1|1|0|10|10000000|400 @"
                                + (TEN_ONE + MINUTE - 1));
    }

    @Test
    void everyPartialIsFlushedBeforeACheckpointBarrier() throws Exception {
        send(event(TEN + 1_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        send(event(TEN_ONE + 1_000, "mov_a", "EU-Berlin", Status.CANCELLED, 50));

        harness.prepareSnapshotPreBarrier(1);

        // Both windows, though neither has closed: nothing is held across the checkpoint.
        assertThat(side(PreAggregator.CONTENT))
                .containsExactly(
                        "mov_a|Title mov_a|" + TEN + "|1|1|0|10|10000000|100 @" + TEN_LAST,
                        "mov_a|Title mov_a|"
                                + TEN_ONE
                                + "|1|0|0|10|10000000|0 @"
                                + (TEN_ONE + MINUTE - 1));

        // A later event in the same window leaves as a second partial; the final window sums.
        send(event(TEN + 2_000, "mov_a", "EU-Berlin", Status.FAILED, 100));
        harness.processWatermark(TEN_LAST);

        assertThat(side(PreAggregator.CONTENT))
                .hasSize(3)
                .last()
                .isEqualTo("mov_a|Title mov_a|" + TEN + "|1|0|1|10|10000000|0 @" + TEN_LAST);
        assertThat(harness.getOutput()).contains(new Watermark(TEN_LAST));
    }

    @Test
    void rejectedRecordsFromTheSourcePassThroughUntouched() throws Exception {
        RejectedEvent malformed =
                new RejectedEvent(
                        TOPIC, 1, 9L, Reason.MALFORMED, "empty record", null, new byte[0]);

        harness.processElement(Ingested.rejected(malformed), Long.MIN_VALUE);

        // The harness copies records through their serializer: compare by content.
        assertThat(harness.extractOutputValues())
                .singleElement()
                .usingRecursiveComparison()
                .isEqualTo(malformed);
        harness.prepareSnapshotPreBarrier(1);
        assertThat(harness.getSideOutput(PreAggregator.CONTENT)).isNull();
    }

    @Test
    void eventLaterThanItsWindowPlusLatenessIsRejectedAsLate() throws Exception {
        // Window end 10:01 + 5 min lateness: the window is gone once the watermark reaches
        // its last millisecond + lateness, 10:05:59.999.
        harness.processWatermark(TEN_LAST + LATENESS);
        Download late = event(TEN + 30_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100);

        send(late);
        harness.prepareSnapshotPreBarrier(1);

        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.topic()).isEqualTo(TOPIC);
                            assertThat(r.partition()).isEqualTo(3);
                            assertThat(r.offset()).isEqualTo(late.offset());
                            assertThat(r.reason()).isEqualTo(Reason.LATE);
                            assertThat(r.detail())
                                    .isEqualTo(
                                            "window 2026-11-27T10:00:00Z closed more than 300 s of"
                                                    + " allowed lateness ago (event time"
                                                    + " 2026-11-27T10:05:59.999Z)");
                            assertThat(r.eventTime()).isEqualTo(TEN + 30_000);
                            assertThat(r.payload()).isNull();
                        });
        assertThat(harness.getSideOutput(PreAggregator.CONTENT)).isNull();
    }

    @Test
    void outOfOrderEventsWithinTheLatenessAreCounted() throws Exception {
        harness.processWatermark(TEN_LAST + LATENESS - 1); // one millisecond before too late
        send(event(TEN + 30_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        send(event(TEN + 10_000, "mov_a", "EU-Berlin", Status.FAILED, 100));

        assertThat(harness.extractOutputValues()).isEmpty();
        // The window has closed already: the next watermark takes its partial out.
        harness.processWatermark(TEN_LAST + LATENESS - 1);

        assertThat(side(PreAggregator.CONTENT))
                .containsExactly(
                        "mov_a|Title mov_a|" + TEN + "|2|1|1|20|20000000|100 @" + TEN_LAST);
    }

    @Test
    void eventExactlyOnAWindowBoundaryBelongsToTheLaterWindow() throws Exception {
        send(event(TEN_ONE, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        send(event(TEN_LAST, "mov_a", "EU-Berlin", Status.SUCCESS, 100));

        harness.processWatermark(TEN_LAST);

        assertThat(side(PreAggregator.REGION))
                .containsExactly("EU-Berlin||" + TEN + "|1|1|0|10|10000000|100 @" + TEN_LAST);
    }

    @Test
    void tooManyBufferedKeysAreFlushedEarly() throws Exception {
        harness.close();
        // One event buffers three keys (content, region, device).
        harness = harness(new PreAggregator(TOPIC, MINUTE, LATENESS, DISORDER, 5));
        harness.open();

        send(event(TEN + 1, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        assertThat(harness.getSideOutput(PreAggregator.CONTENT)).isNull();
        send(event(TEN + 2, "mov_b", "EU-Paris", Status.SUCCESS, 100)); // 5 keys

        assertThat(side(PreAggregator.CONTENT)).hasSize(2);
        assertThat(side(PreAggregator.REGION)).hasSize(2);
        assertThat(side(PreAggregator.DEVICE)).hasSize(1);
    }

    @Test
    void restoredOperatorKeepsItsWatermarkAndStillRejectsTooLateEvents() throws Exception {
        harness.processWatermark(TEN_LAST + LATENESS);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = harness(new PreAggregator(TOPIC, MINUTE, LATENESS, DISORDER, 1_000));
        harness.initializeState(snapshot);
        harness.open();
        // After a restore the sources start again from low watermarks; the event is still late.
        harness.processWatermark(Long.MIN_VALUE + 1);
        send(event(TEN + 30_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100));

        assertThat(harness.extractOutputValues())
                .extracting(RejectedEvent::reason)
                .containsExactly(Reason.LATE);
    }

    @Test
    void eachPartitionsOwnClockDecidesLatenessWithoutAWatermark() throws Exception {
        // Partition 3 has reached 10:06:10; minus 10 s of disorder, 10:06:00 is past the window
        // 10:00 plus its lateness (10:05:59.999). The watermark has not moved at all, so only the
        // partition's own order of records decides, and a replay decides alike.
        send(event(TEN + 6 * MINUTE + 10_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        Download behind = event(TEN + 30_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100);
        send(behind);
        // The same time on another partition, which has not moved on, is counted.
        send(onPartition(behind, 4));
        harness.prepareSnapshotPreBarrier(1);

        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.reason()).isEqualTo(Reason.LATE);
                            assertThat(r.partition()).isEqualTo(3);
                            assertThat(r.offset()).isEqualTo(behind.offset());
                        });
        assertThat(harness.getSideOutput(PreAggregator.REGION))
                .extracting(r -> r.getValue().windowStart)
                .containsExactlyInAnyOrder(TEN + 6 * MINUTE, TEN);
    }

    @Test
    void partitionClocksSurviveARestore() throws Exception {
        send(event(TEN + 6 * MINUTE + 10_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = harness(new PreAggregator(TOPIC, MINUTE, LATENESS, DISORDER, 1_000));
        harness.initializeState(snapshot);
        harness.open();
        send(event(TEN + 30_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100));

        assertThat(harness.extractOutputValues())
                .extracting(RejectedEvent::reason)
                .containsExactly(Reason.LATE);
    }

    private static Download onPartition(Download d, int partition) {
        return new Download(
                d.timestamp(),
                d.contentId(),
                d.title(),
                d.region(),
                d.device(),
                d.osVersion(),
                d.status(),
                d.durationSeconds(),
                d.speedMicros(),
                d.sizeMb(),
                partition,
                d.offset() + 1,
                d.logTimestamp(),
                null);
    }

    @Test
    void withoutAWatermarkNothingIsLate() throws Exception {
        // The counterpart of the restore test: a fresh operator has no watermark, so the same
        // event is counted. What keeps it LATE above is the restored state alone.
        send(event(TEN + 30_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        harness.prepareSnapshotPreBarrier(1);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(side(PreAggregator.CONTENT)).hasSize(1);
    }

    @Test
    void afterRescalingEachSubtaskRestoresTheLowestWatermark() throws Exception {
        harness.close();
        OperatorSubtaskState[] states = new OperatorSubtaskState[2];
        long[] watermarks = {TEN_LAST + LATENESS, TEN_LAST + LATENESS - 10_000};
        for (int subtask = 0; subtask < 2; subtask++) {
            var h =
                    harness(
                            new PreAggregator(TOPIC, MINUTE, LATENESS, DISORDER, 1_000),
                            2,
                            subtask);
            h.open();
            h.processWatermark(watermarks[subtask]);
            states[subtask] = h.snapshot(1, 1);
            h.close();
        }
        OperatorSubtaskState merged = AbstractStreamOperatorTestHarness.repackageState(states);
        OperatorSubtaskState forOne =
                AbstractStreamOperatorTestHarness.repartitionOperatorState(merged, 128, 2, 1, 0);

        harness = harness(new PreAggregator(TOPIC, MINUTE, LATENESS, DISORDER, 1_000));
        harness.initializeState(forOne);
        harness.open();
        // Late for subtask 0's watermark, not for the lower one of subtask 1: the restored
        // operator must not reject what either old subtask would have counted.
        send(event(TEN + 30_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        harness.prepareSnapshotPreBarrier(2);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(side(PreAggregator.CONTENT)).hasSize(1);
    }

    private static OneInputStreamOperatorTestHarness<Ingested, RejectedEvent> harness(
            PreAggregator operator) throws Exception {
        return harness(operator, 1, 0);
    }

    private static OneInputStreamOperatorTestHarness<Ingested, RejectedEvent> harness(
            PreAggregator operator, int parallelism, int subtask) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(operator, 128, parallelism, subtask);
    }

    private void send(Download d) throws Exception {
        harness.processElement(Ingested.valid(d), d.timestamp());
    }

    /** A 10 s download at 10 Mbps on a Pixel 9, from partition 3. */
    private Download event(long time, String content, String region, Status status, int sizeMb) {
        return new Download(
                time,
                content,
                "Title " + content,
                region,
                "Pixel 9",
                "Android 15",
                status,
                10,
                10_000_000L,
                sizeMb,
                3,
                nextOffset++,
                time,
                null);
    }

    /** Side output as "key|detail|window|total|ok|failed|duration|speed|sizeMb @timestamp". */
    private List<String> side(OutputTag<WindowCounts> tag) {
        Queue<StreamRecord<WindowCounts>> records = harness.getSideOutput(tag);
        List<String> out = new ArrayList<>();
        if (records != null) {
            for (StreamRecord<WindowCounts> r : records) {
                out.add(fields(r.getValue()) + " @" + r.getTimestamp());
            }
        }
        return out;
    }
}
