package com.streampulse.job.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.streampulse.job.records.Download;
import com.streampulse.job.records.Download.Status;
import com.streampulse.job.records.Ingested;
import com.streampulse.job.records.RejectedEvent;
import com.streampulse.job.records.RejectedEvent.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventTimeOperatorTest {

    private static final String TOPIC = "content-downloads";
    private static final long MINUTE = 60_000;
    private static final long LATENESS = 5 * MINUTE;
    private static final long DISORDER = 10_000;
    private static final long IDLENESS = 30_000;
    private static final long TICK = 200;

    /** Window [10:00, 10:01) and its last millisecond. */
    private static final long TEN = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();

    private static final long TEN_LAST = TEN + MINUTE - 1;

    /** Wall clock (processing time) when the operator starts. */
    private static final long WALL = 1_000_000;

    /**
     * When the traffic starts: just before the idleness has passed since the start, during which no
     * watermark moves (partitions the source was assigned may not have been read yet).
     */
    private static final long T = WALL + IDLENESS - 1;

    /** The start offset of a split whose reader has still to look up the committed offset. */
    private static final long COMMITTED = -3;

    private ScriptedBacklog backlog;
    private OneInputStreamOperatorTestHarness<Ingested, Download> harness;
    private long nextOffset;

    @BeforeEach
    void open() throws Exception {
        backlog = new ScriptedBacklog();
        harness = harness(backlog, 1, 0);
        harness.setProcessingTime(WALL);
        harness.open();
        tick(T);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void watermarkIsTheLowestClockOfThePartitionsRead() throws Exception {
        send(event(0, TEN + 20_000));
        send(event(1, TEN + 5_000));

        tick(T + TICK);

        assertThat(watermarks()).containsExactly(TEN + 5_000 - DISORDER - 1);

        send(event(1, TEN + 40_000));
        tick(T + 2 * TICK);

        assertThat(watermarks()).last().isEqualTo(TEN + 20_000 - DISORDER - 1);
    }

    @Test
    void rejectedRecordsFromTheSourceGoToTheSideOutputUntouched() throws Exception {
        RejectedEvent malformed =
                new RejectedEvent(
                        TOPIC, 1, 9L, Reason.MALFORMED, "empty record", null, new byte[0]);

        harness.processElement(Ingested.rejected(malformed), Long.MIN_VALUE);

        assertThat(rejected()).singleElement().usingRecursiveComparison().isEqualTo(malformed);
        assertThat(harness.extractOutputValues()).isEmpty();
    }

    @Test
    void eventLaterThanItsWindowPlusLatenessIsRejectedAsLateWithItsPayload() throws Exception {
        // Window end 10:01 + 5 min lateness: the window is gone once event time reaches its last
        // millisecond + lateness, 10:05:59.999.
        harness.processWatermark(TEN_LAST + LATENESS);
        Download late = event(3, TEN + 30_000);

        send(late);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(rejected())
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
                            assertThat(r.payload()).isEqualTo(late.payload());
                        });
    }

    @Test
    void eventOfAClosedWindowWithinTheLatenessIsCountedAsALateUpdate() throws Exception {
        harness.processWatermark(TEN_LAST + LATENESS - 1); // one millisecond before too late
        send(event(3, TEN + 30_000));
        send(event(3, TEN + 10 * MINUTE));

        assertThat(harness.extractOutputValues())
                .extracting(Download::timestamp, Download::late)
                .containsExactly(tuple(TEN + 30_000, true), tuple(TEN + 10 * MINUTE, false));
        assertThat(rejected()).isEmpty();
    }

    @Test
    void eachPartitionsOwnClockDecidesLatenessWithoutAWatermark() throws Exception {
        // Partition 3 has reached 10:06:10; minus 10 s of disorder, 10:06:00 is past the window
        // 10:00 plus its lateness (10:05:59.999). No watermark has been emitted, so only the
        // partition's own order of records decides, and a replay decides alike.
        send(event(3, TEN + 6 * MINUTE + 10_000));
        Download behind = event(3, TEN + 30_000);
        send(behind);
        // The same time on another partition, which has not moved on, is counted on time.
        send(event(4, TEN + 30_000));

        assertThat(rejected())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.reason()).isEqualTo(Reason.LATE);
                            assertThat(r.partition()).isEqualTo(3);
                            assertThat(r.offset()).isEqualTo(behind.offset());
                        });
        assertThat(harness.extractOutputValues())
                .extracting(Download::partition, Download::late)
                .containsExactly(tuple(3, false), tuple(4, false));
    }

    @Test
    void aProducerClockAheadMovesNoClockFurtherThanTheLogsOwnTime() throws Exception {
        // One producer on partition 3 stamps its events 30 min ahead of the log's time.
        send(event(3, TEN + 30 * MINUTE, TEN));
        // Another producer on the same partition, on time: not late, not a late update.
        send(event(3, TEN + 5_000, TEN + 5_000));
        tick(T + TICK);

        assertThat(rejected()).isEmpty();
        assertThat(harness.extractOutputValues())
                .extracting(Download::timestamp, Download::late)
                .containsExactly(tuple(TEN + 30 * MINUTE, false), tuple(TEN + 5_000, false));
        // Event time follows the log: the skewed event counts as log time + disorder at most.
        assertThat(watermarks()).containsExactly(TEN - 1);
    }

    @Test
    void quietPartitionHoldsEventTimeBackUntilKafkaSaysItIsCaughtUp() throws Exception {
        send(event(0, TEN + 5_000));
        send(event(1, TEN + 50_000));
        // Partition 1 keeps flowing; partition 0 goes quiet with records left unread.
        backlog.endsAt(0, 1_000);
        long newestOnOne = 0;
        for (long t = T + TICK; t <= T + 2 * IDLENESS; t += IDLENESS / 4) {
            newestOnOne = TEN + 50_000 + (t - T);
            send(event(1, newestOnOne));
            tick(t);
        }

        assertThat(watermarks()).last().isEqualTo(TEN + 5_000 - DISORDER - 1);

        // Now Kafka says partition 0 has nothing unread: it stops holding event time back.
        backlog.endsAt(0, lastOffset(0) + 1);
        tick(T + 2 * IDLENESS + TICK);
        tick(T + 2 * IDLENESS + 2 * TICK);

        assertThat(watermarks()).last().isEqualTo(newestOnOne - DISORDER - 1);
    }

    @Test
    void quietInputMovesWithTheWallClockOnlyWhenNothingIsLeftUnread() throws Exception {
        send(event(0, TEN + 20_000));
        tick(T + TICK);
        long onData = TEN + 20_000 - DISORDER - 1;

        // Quiet for twice the idleness while records wait unread (backpressure, a GC pause, a
        // stopped TaskManager): event time stays where the data put it.
        backlog.endsAt(0, lastOffset(0) + 500);
        tick(T + IDLENESS);
        tick(T + 2 * IDLENESS);
        // The brokers do not answer at all: the same.
        backlog.reachable(false).endsAt(0, lastOffset(0) + 1);
        tick(T + 3 * IDLENESS);
        assertThat(watermarks()).containsExactly(onData);

        // Reachable and caught up: event time moves with the wall clock from the newest event.
        backlog.reachable(true);
        tick(T + 3 * IDLENESS + TICK);
        tick(T + 3 * IDLENESS + 2 * TICK);

        assertThat(watermarks())
                .last()
                .isEqualTo(TEN + 20_000 + 3 * IDLENESS + 2 * TICK - DISORDER - 1);
    }

    @Test
    void aSubtaskThatReadNothingStepsAsideAfterTheIdleness() throws Exception {
        assertThat(statuses()).isEmpty();

        tick(T + TICK);

        assertThat(statuses()).containsExactly(WatermarkStatus.IDLE);
        assertThat(watermarks()).isEmpty();

        // Its first event makes it active again with a watermark.
        send(event(0, TEN + 20_000));
        tick(T + 2 * TICK);
        assertThat(statuses()).containsExactly(WatermarkStatus.IDLE, WatermarkStatus.ACTIVE);
        assertThat(watermarks()).containsExactly(TEN + 20_000 - DISORDER - 1);
    }

    @Test
    void anAssignedPartitionNotReadYetHoldsEventTimeBack() throws Exception {
        // The reader announces both partitions. Partition 1 is read at once; partition 0 has
        // records waiting whose first fetch is slow.
        backlog.endsAt(0, 100);
        announce(0, COMMITTED);
        announce(1, COMMITTED);
        send(event(1, TEN + 9 * MINUTE));
        tick(T + TICK);
        tick(T + 2 * IDLENESS);
        tick(T + 2 * IDLENESS + TICK);

        assertThat(watermarks()).isEmpty();

        // Its records arrive, as old as they are: on time, and now they set event time.
        send(event(0, TEN + 20_000));
        tick(T + 2 * IDLENESS + 2 * TICK);

        assertThat(rejected()).isEmpty();
        assertThat(watermarks()).containsExactly(TEN + 20_000 - DISORDER - 1);
    }

    @Test
    void theEndOfABoundedInputPassesThrough() throws Exception {
        send(event(0, TEN + 20_000));

        harness.processWatermark(Watermark.MAX_WATERMARK);

        assertThat(watermarks()).containsExactly(Long.MAX_VALUE);
    }

    @Test
    void restoredOperatorKeepsItsWatermarkAndStillRejectsTooLateEvents() throws Exception {
        harness.processWatermark(TEN_LAST + LATENESS);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);

        restore(snapshot);
        send(event(3, TEN + 30_000));

        assertThat(rejected()).extracting(RejectedEvent::reason).containsExactly(Reason.LATE);
    }

    @Test
    void partitionClocksSurviveARestore() throws Exception {
        send(event(3, TEN + 6 * MINUTE + 10_000));
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);

        restore(snapshot);
        send(event(3, TEN + 30_000));

        assertThat(rejected()).extracting(RejectedEvent::reason).containsExactly(Reason.LATE);
    }

    @Test
    void withoutStateNothingIsLate() throws Exception {
        // The counterpart of the restore tests: a fresh operator counts the same event.
        send(event(3, TEN + 30_000));

        assertThat(rejected()).isEmpty();
        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void afterRescalingEachSubtaskRestoresTheLowestWatermark() throws Exception {
        harness.close();
        OperatorSubtaskState[] states = new OperatorSubtaskState[2];
        long[] watermarks = {TEN_LAST + LATENESS, TEN_LAST + LATENESS - 10_000};
        for (int subtask = 0; subtask < 2; subtask++) {
            var h = harness(new ScriptedBacklog(), 2, subtask);
            h.open();
            h.processWatermark(watermarks[subtask]);
            states[subtask] = h.snapshot(1, 1);
            h.close();
        }
        OperatorSubtaskState merged = AbstractStreamOperatorTestHarness.repackageState(states);
        OperatorSubtaskState forOne =
                AbstractStreamOperatorTestHarness.repartitionOperatorState(merged, 128, 2, 1, 0);

        harness = harness(backlog, 1, 0);
        harness.initializeState(forOne);
        harness.open();
        // Late for subtask 0's watermark, not for the lower one of subtask 1: the restored
        // operator must not reject what either old subtask would have counted.
        send(event(3, TEN + 30_000));

        assertThat(rejected()).isEmpty();
        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void aJobRestoredAfterTrafficStoppedStillClosesItsLastWindows() throws Exception {
        send(event(0, TEN + 20_000));
        send(event(1, TEN + 25_000));
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        backlog.endsAt(0, lastOffset(0) + 1).endsAt(1, lastOffset(1) + 1);

        restore(snapshot);
        announce(0, lastOffset(0) + 1);
        announce(1, lastOffset(1) + 1);
        tick(WALL + TICK);
        // Where the checkpoint left the partitions: nothing new has been read yet.
        assertThat(watermarks()).containsExactly(TEN + 20_000 - DISORDER - 1);

        tick(WALL + IDLENESS);
        tick(WALL + IDLENESS + TICK);

        // Nothing was written since the checkpoint: the wall clock carries the restored newest
        // event time forward from the restart.
        assertThat(watermarks()).last().isEqualTo(TEN + 25_000 + IDLENESS + TICK - DISORDER - 1);
    }

    @Test
    void aRestoredJobWithUnreadRecordsWaitsForThem() throws Exception {
        send(event(0, TEN + 20_000));
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        // Records arrived after the checkpoint, but the broker is slow to deliver them.
        backlog.endsAt(0, lastOffset(0) + 50);

        restore(snapshot);
        announce(0, lastOffset(0) + 1);
        tick(WALL + IDLENESS);
        tick(WALL + 2 * IDLENESS);

        // Event time stays where the checkpoint left it, neither idle nor moved by the clock.
        assertThat(watermarks()).containsExactly(TEN + 20_000 - DISORDER - 1);
        assertThat(statuses()).isEmpty();
    }

    @Test
    void aSubtaskWaitsForItsPartitionsWhenTheTopicHasOneForEverySubtask() throws Exception {
        backlog.partitions(2);
        tick(T + 2 * IDLENESS);

        assertThat(statuses()).isEmpty();

        announce(0, COMMITTED);
        send(event(0, TEN + 20_000));
        tick(T + 2 * IDLENESS + TICK);

        assertThat(rejected()).isEmpty();
        assertThat(watermarks()).containsExactly(TEN + 20_000 - DISORDER - 1);
    }

    @Test
    void aSubtaskWhosePartitionsHoldNoEventStepsAsideAfterTheIdleness() throws Exception {
        backlog.partitions(2).endsAt(0, 1);
        announce(0, COMMITTED);
        harness.processElement(
                Ingested.rejected(
                        new RejectedEvent(
                                TOPIC, 0, 0, Reason.MALFORMED, "not avro", null, new byte[] {1})),
                Long.MIN_VALUE);
        tick(T + IDLENESS + TICK);
        tick(T + 2 * IDLENESS);
        tick(T + 2 * IDLENESS + TICK);

        assertThat(watermarks()).isEmpty();
        assertThat(statuses()).containsExactly(WatermarkStatus.IDLE);
    }

    @Test
    void afterARescaleOnlyThePartitionsItsReaderAnnouncesHoldEventTimeBack() throws Exception {
        send(event(0, TEN + 20_000));
        send(event(1, TEN + 20_000));
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        // Restored at another parallelism, Flink's state redistribution gave partition 0 to
        // another subtask, whose reading moves its end far past what this one remembers of it.
        backlog.endsAt(0, lastOffset(0) + 1_000);

        restore(snapshot);
        announce(1, lastOffset(1) + 1);
        send(event(1, TEN + 50_000));
        tick(WALL + TICK);
        tick(WALL + IDLENESS + TICK);

        assertThat(watermarks()).last().isEqualTo(TEN + 50_000 - DISORDER - 1);
    }

    private void restore(OperatorSubtaskState snapshot) throws Exception {
        harness.close();
        harness = harness(backlog, 1, 0);
        harness.setProcessingTime(WALL);
        harness.initializeState(snapshot);
        harness.open();
    }

    private static OneInputStreamOperatorTestHarness<Ingested, Download> harness(
            ScriptedBacklog backlog, int parallelism, int subtask) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new EventTimeOperator(TOPIC, MINUTE, LATENESS, DISORDER, IDLENESS, TICK, backlog),
                128,
                parallelism,
                subtask);
    }

    private void tick(long wallClock) throws Exception {
        harness.setProcessingTime(wallClock);
    }

    /** The reader was given {@code partition}, to read from {@code nextOffset}. */
    private void announce(int partition, long nextOffset) throws Exception {
        harness.processElement(Ingested.assigned(partition, nextOffset), Long.MIN_VALUE);
    }

    private void send(Download d) throws Exception {
        harness.processElement(Ingested.valid(d), Long.MIN_VALUE);
    }

    private final Map<Integer, Long> lastOffsets = new HashMap<>();

    private long lastOffset(int partition) {
        return lastOffsets.get(partition);
    }

    private Download event(int partition, long time) {
        return event(partition, time, time);
    }

    /** A download read from {@code partition}, whose Kafka record is stamped {@code logTime}. */
    private Download event(int partition, long time, long logTime) {
        long offset = nextOffset++;
        lastOffsets.put(partition, offset);
        return new Download(
                time,
                "mov_a",
                "Title",
                "EU-Berlin",
                "Pixel 9",
                "Android 15",
                Status.SUCCESS,
                10,
                10_000_000L,
                100,
                partition,
                offset,
                logTime,
                new byte[] {(byte) offset},
                false);
    }

    private List<RejectedEvent> rejected() {
        List<RejectedEvent> out = new ArrayList<>();
        var records = harness.getSideOutput(EventTimeOperator.REJECTED);
        if (records != null) {
            for (StreamRecord<RejectedEvent> r : records) {
                out.add(r.getValue());
            }
        }
        return out;
    }

    private List<Long> watermarks() {
        List<Long> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof Watermark w) {
                out.add(w.getTimestamp());
            }
        }
        return out;
    }

    private List<WatermarkStatus> statuses() {
        List<WatermarkStatus> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof WatermarkStatus s) {
                out.add(s);
            }
        }
        return out;
    }
}
