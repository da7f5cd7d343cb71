package com.streampulse.job.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The idle clock on a test processing-time service. Out-of-orderness 10 s, idleness 30 s, a tick
 * every 200 ms; wall-clock time starts at {@link #P0} and moves one tick at a time, as the timers
 * would fire in a task.
 */
class IdleClockOperatorTest {

    private static final long OUT_OF_ORDERNESS = 10_000;
    private static final long IDLENESS = 30_000;
    private static final long TICK = 200;

    /** Wall clock when the test starts, and the event time of the newest event. */
    private static final long P0 = 1_000_000;

    private static final long E = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();

    /** The source's watermark for a newest event at {@link #E}. */
    private static final long SOURCE_WATERMARK = E - OUT_OF_ORDERNESS - 1;

    private OneInputStreamOperatorTestHarness<String, String> harness;
    private long wallClock;

    @BeforeEach
    void open() throws Exception {
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new IdleClockOperator<>(OUT_OF_ORDERNESS, IDLENESS, TICK));
        wallClock = P0;
        harness.setProcessingTime(P0);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void recordsAndSourceWatermarksPassThroughWhileTrafficFlows() throws Exception {
        harness.processElement("a", E);
        harness.processWatermark(SOURCE_WATERMARK);
        advanceTo(P0 + 29_800);

        assertThat(harness.getOutput())
                .containsExactly(new StreamRecord<>("a", E), new Watermark(SOURCE_WATERMARK));
    }

    @Test
    void idleStatusStartsTheWallClockWatermark() throws Exception {
        harness.processElement("a", E);
        harness.processWatermark(SOURCE_WATERMARK);
        advanceTo(P0 + 1_000);
        harness.processWatermarkStatus(WatermarkStatus.IDLE);

        advanceTo(P0 + 1_400);

        // newest event time + wall time since it arrived - out-of-orderness - 1
        assertThat(watermarks())
                .containsExactly(
                        SOURCE_WATERMARK,
                        E + 1_200 - OUT_OF_ORDERNESS - 1,
                        E + 1_400 - OUT_OF_ORDERNESS - 1);
        // This subtask has seen events: it stays active so its clock counts downstream.
        assertThat(statuses()).isEmpty();
    }

    @Test
    void noRecordForTheIdlenessTimeoutAlsoCountsAsIdle() throws Exception {
        // Flink's own idle status can come much later than the timeout; the clock doesn't wait.
        harness.processElement("a", E);

        advanceTo(P0 + IDLENESS - TICK);
        assertThat(watermarks()).isEmpty();

        advanceTo(P0 + IDLENESS);
        assertThat(watermarks()).containsExactly(E + IDLENESS - OUT_OF_ORDERNESS - 1);
    }

    @Test
    void rejectedRecordsCountAsActivityButDoNotMoveTheClock() throws Exception {
        harness.processElement("valid", E);
        advanceTo(P0 + 20_000);
        harness.processElement("rejected", ValidEventWatermarks.NO_EVENT_TIME);

        advanceTo(P0 + 20_000 + IDLENESS - TICK);
        assertThat(watermarks()).isEmpty();

        advanceTo(P0 + 20_000 + IDLENESS);
        // Measured from the newest valid event's arrival, not from the rejected record.
        assertThat(watermarks()).containsExactly(E + 50_000 - OUT_OF_ORDERNESS - 1);
    }

    @Test
    void recordWithoutATimestampDoesNotMoveTheClock() throws Exception {
        harness.processElement("valid", E);
        harness.processElement(new StreamRecord<>("no time"));
        harness.processWatermarkStatus(WatermarkStatus.IDLE);

        advanceTo(P0 + TICK);

        assertThat(watermarks()).containsExactly(E + TICK - OUT_OF_ORDERNESS - 1);
    }

    @Test
    void watermarksNeverGoBackwards() throws Exception {
        harness.processElement("a", E);
        harness.processWatermark(SOURCE_WATERMARK);
        advanceTo(P0 + 1_000);
        harness.processWatermarkStatus(WatermarkStatus.IDLE);
        advanceTo(P0 + 1_400); // clock at E + 1400 - 10001

        // Traffic resumes: the source's watermark for a newer event is below the clock.
        harness.processWatermarkStatus(WatermarkStatus.ACTIVE);
        harness.processElement("b", E + 1_000);
        harness.processWatermark(E + 1_000 - OUT_OF_ORDERNESS - 1);
        harness.processWatermark(E + 2_000);
        harness.processWatermark(E + 1_500);
        // Idle again at P0 + 1400: the clock restarts from E + 1000 and must first pass E + 2000.
        harness.processWatermarkStatus(WatermarkStatus.IDLE);
        advanceTo(P0 + 12_600);

        List<Long> marks = watermarks();
        assertThat(marks)
                .containsExactly(
                        SOURCE_WATERMARK,
                        E + 1_200 - OUT_OF_ORDERNESS - 1,
                        E + 1_400 - OUT_OF_ORDERNESS - 1,
                        E + 2_000,
                        // E + 1000 + (12600 - 1400) - 10000 - 1: the first clock above E + 2000.
                        E + 2_199);
        assertThat(marks).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void subtaskThatNeverSawAnEventForwardsIdleAndEmitsNoWatermark() throws Exception {
        harness.processWatermarkStatus(WatermarkStatus.IDLE);
        harness.processWatermarkStatus(WatermarkStatus.IDLE);
        advanceTo(P0 + 4 * IDLENESS);

        assertThat(harness.getOutput()).containsExactly(WatermarkStatus.IDLE);

        // Its first event, then the source's first watermark: active again, then the watermark.
        harness.processElement("first", E);
        harness.processWatermarkStatus(WatermarkStatus.ACTIVE);
        harness.processWatermark(SOURCE_WATERMARK);

        assertThat(harness.getOutput())
                .containsExactly(
                        WatermarkStatus.IDLE,
                        new StreamRecord<>("first", E),
                        WatermarkStatus.ACTIVE,
                        new Watermark(SOURCE_WATERMARK));
    }

    @Test
    void firstWatermarkAfterIdleReactivatesTheOutput() throws Exception {
        harness.processWatermarkStatus(WatermarkStatus.IDLE);
        harness.processElement("first", E);

        harness.processWatermark(SOURCE_WATERMARK);

        assertThat(harness.getOutput())
                .containsExactly(
                        WatermarkStatus.IDLE,
                        new StreamRecord<>("first", E),
                        WatermarkStatus.ACTIVE,
                        new Watermark(SOURCE_WATERMARK));
    }

    @Test
    void beforeAnyEventNothingIsEverDeclared() throws Exception {
        // No event, no status: well past the idleness timeout there is still no clock, so
        // nothing can be late before the first event arrives.
        advanceTo(P0 + 4 * IDLENESS);

        assertThat(harness.getOutput()).isEmpty();
        // One pending tick at a time: the clock doesn't pile up timers while it waits.
        assertThat(harness.getProcessingTimeService().getNumActiveTimers()).isEqualTo(1);
    }

    /** Moves the wall clock tick by tick, so every timer fires at its own time. */
    private void advanceTo(long time) throws Exception {
        while (wallClock + TICK <= time) {
            wallClock += TICK;
            harness.setProcessingTime(wallClock);
        }
    }

    private List<Long> watermarks() {
        List<Long> marks = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof Watermark w) {
                marks.add(w.getTimestamp());
            }
        }
        return marks;
    }

    private List<WatermarkStatus> statuses() {
        List<WatermarkStatus> statuses = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof WatermarkStatus s) {
                statuses.add(s);
            }
        }
        return statuses;
    }
}
