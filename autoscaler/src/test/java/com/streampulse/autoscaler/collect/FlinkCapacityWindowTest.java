package com.streampulse.autoscaler.collect;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.autoscaler.kube.JobManagerClient.SourceCounters;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FlinkCapacityWindowTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String JOB = "job-1";

    final FlinkCapacityWindow window = new FlinkCapacityWindow(Duration.ofSeconds(150));

    static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void capacityIsRecordsInPerSecondOfBusyTimeOverTheSubtasks() {
        // 4 subtasks take in 60 records/s together, each busy 150 ms of every second: one
        // instance fully busy would take in 100/s.
        window.add(JOB, 4, at(0), counters(1_000, 20_000));
        assertThat(window.capacityPerInstance()).isNaN();
        window.add(JOB, 4, at(30), counters(1_000 + 60 * 30, 20_000 + 4 * 150 * 30));
        assertThat(window.capacityPerInstance()).isCloseTo(100, within());
    }

    @Test
    void tooIdleSubtasksGiveNoFigure() {
        // Busy 40 ms/s each: below the 5 % floor.
        window.add(JOB, 4, at(0), counters(0, 0));
        window.add(JOB, 4, at(30), counters(60 * 30, 4 * 40 * 30));
        assertThat(window.capacityPerInstance()).isNaN();
    }

    @Test
    void aRestartOrAnotherParallelismStartsTheWindowOver() {
        window.add(JOB, 4, at(0), counters(0, 0));
        window.add(JOB, 4, at(30), counters(3_000, 30_000));
        assertThat(window.capacityPerInstance()).isCloseTo(100, within());
        // Counters restart at zero with the new task attempts.
        window.add(JOB, 4, at(60), counters(100, 500));
        assertThat(window.capacityPerInstance()).isNaN();
        window.add(JOB, 2, at(90), counters(4_000, 20_000));
        assertThat(window.capacityPerInstance()).isNaN();
        window.add(JOB, 2, at(120), counters(7_000, 35_000));
        assertThat(window.capacityPerInstance()).isCloseTo(200, within());
        window.add("job-2", 2, at(150), counters(8_000, 36_000));
        assertThat(window.capacityPerInstance()).isNaN();
    }

    @Test
    void theWindowSlidesButSpansAtLeastItsLength() {
        window.add(JOB, 1, at(0), counters(0, 0));
        window.add(JOB, 1, at(100), counters(10_000, 100_000)); // 100/s
        window.add(JOB, 1, at(200), counters(30_000, 200_000)); // 200/s from here
        // The reading at 0 is older than 150 s but the one at 100 is not yet: 0 stays first.
        assertThat(window.capacityPerInstance()).isCloseTo(150, within());
        window.add(JOB, 1, at(260), counters(42_000, 260_000));
        assertThat(window.capacityPerInstance()).isCloseTo(200, within());
    }

    static SourceCounters counters(double recordsIn, double busyMs) {
        return new SourceCounters(recordsIn, busyMs, 0);
    }

    @Test
    void idleShareIsIdleOverIdleAndBusy() {
        assertThat(window.idleShare()).isNaN();
        // One reading: the share since the tasks started.
        window.add(JOB, 2, at(0), new SourceCounters(100, 1_000, 1_000));
        assertThat(window.idleShare()).isCloseTo(0.5, within());
        // The fetcher's snapshot has not moved yet: still the share since the start.
        window.add(JOB, 2, at(1), new SourceCounters(100, 1_000, 1_000));
        assertThat(window.idleShare()).isCloseTo(0.5, within());
        window.add(JOB, 2, at(10), new SourceCounters(700, 7_000, 15_000));
        assertThat(window.idleShare()).isCloseTo(0.7, within());
    }

    static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-9);
    }
}
