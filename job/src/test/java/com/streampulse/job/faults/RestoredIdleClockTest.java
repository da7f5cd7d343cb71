package com.streampulse.job.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.time.IdleClockOperator;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Regression test for what {@code FaultMatrixIT}'s cancel-and-restore case found: a restored idle
 * clock took its input for idle at its very first tick (no record had "arrived" since the restore)
 * and ran event time ahead with the wall clock while the replay was still starting, so a window
 * fired early with part of its events; the later complete firing fixed the counts but left a
 * resolved alert that a failure-free run never writes.
 */
class RestoredIdleClockTest {

    private static final long OUT_OF_ORDERNESS = 2_000;
    private static final long IDLENESS = 60_000;
    private static final long TICK = 200;
    private static final long EVENT_TIME = 1_748_779_200_000L;

    @Test
    void restoredClockWaitsForIdlenessBeforeMovingEventTime() throws Exception {
        OperatorSubtaskState saved;
        try (var before = harness()) {
            before.open();
            before.setProcessingTime(1_000);
            before.processElement(new StreamRecord<>("event", EVENT_TIME));
            saved = before.snapshot(1, 1_000);
        }
        try (var after = harness()) {
            after.setProcessingTime(500_000);
            after.initializeState(saved);
            after.open();

            advance(after, 500_000, 500_000 + 10 * TICK);
            assertThat(watermarks(after)).as("right after the restore").isEmpty();

            advance(after, 500_000 + 10 * TICK, 500_000 + IDLENESS + 2 * TICK);
            assertThat(watermarks(after))
                    .as("once idleness has passed without input")
                    .isNotEmpty()
                    .allSatisfy(w -> assertThat(w).isGreaterThan(EVENT_TIME - OUT_OF_ORDERNESS));
        }
    }

    /** Tick by tick, as the wall clock would: each timer sees its own time. */
    private static void advance(
            OneInputStreamOperatorTestHarness<String, String> h, long from, long to)
            throws Exception {
        for (long t = from + TICK; t <= to; t += TICK) {
            h.setProcessingTime(t);
        }
    }

    private static OneInputStreamOperatorTestHarness<String, String> harness() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new IdleClockOperator<String>(OUT_OF_ORDERNESS, IDLENESS, TICK));
    }

    private static List<Long> watermarks(OneInputStreamOperatorTestHarness<String, String> h) {
        return h.getOutput().stream()
                .filter(Watermark.class::isInstance)
                .map(o -> ((Watermark) o).getTimestamp())
                .toList();
    }
}
