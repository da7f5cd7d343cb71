package com.streampulse.autoscaler.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.streampulse.autoscaler.decide.Observation;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateWindowTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** Two partitions sharing the offsets evenly. */
    static OffsetSample at(int second, long end, long committed) {
        return new OffsetSample(
                T0.plusSeconds(second),
                Map.of(0, end / 2, 1, end - end / 2),
                Map.of(0, committed / 2, 1, committed - committed / 2));
    }

    @Test
    void processedRateIsMeasuredBetweenCommitsNotOverTheWholeWindow() {
        RateWindow window = new RateWindow(Duration.ofSeconds(150));
        // 100 records/s arrive and are processed; a checkpoint commits every 30 s.
        window.add(at(0, 0, 0));
        window.add(at(15, 1500, 0));
        window.add(at(30, 3000, 3000)); // commit seen
        window.add(at(45, 4500, 3000));
        window.add(at(60, 6000, 6000)); // commit seen
        window.add(at(75, 7500, 6000));
        Observation obs = window.observe();
        assertThat(obs.inputRate()).isCloseTo(100.0, within(1e-9));
        // Over the whole window the commits would say 6000 / 75 = 80/s; between commits 100/s.
        assertThat(obs.processedRate()).isCloseTo(100.0, within(1e-9));
        assertThat(obs.lag()).isEqualTo(1500);
        assertThat(obs.minLag()).isEqualTo(0);
        assertThat(obs.span()).isEqualTo(Duration.ofSeconds(75));
        assertThat(obs.commitStalledFor()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void oldSamplesLeaveTheWindow() {
        RateWindow window = new RateWindow(Duration.ofSeconds(30));
        window.add(at(0, 0, 0));
        window.add(at(15, 100, 0));
        window.add(at(30, 200, 0));
        window.add(at(45, 3200, 0));
        Observation obs = window.observe();
        assertThat(obs.windowStart()).isEqualTo(T0.plusSeconds(15));
        assertThat(obs.inputRate()).isCloseTo(3100 / 30.0, within(1e-9));
        // The last interval alone: the load now, which the window's average trails.
        assertThat(obs.latestInputRate()).isCloseTo(3000 / 15.0, within(1e-9));
        assertThat(obs.hasProcessedRate()).isFalse();
        assertThat(obs.commitStalledFor()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void anIdleTopicHasAProcessedRateOfZeroNotAnUnknownOne() {
        RateWindow window = new RateWindow(Duration.ofSeconds(150));
        window.add(at(0, 500, 500));
        window.add(at(60, 500, 500));
        assertThat(window.observe().processedRate()).isEqualTo(0.0);
    }

    @Test
    void resetForgetsEverything() {
        RateWindow window = new RateWindow(Duration.ofSeconds(150));
        window.add(at(0, 0, 0));
        window.add(at(15, 1500, 0));
        window.reset();
        assertThat(window.observe()).isNull();
    }

    @Test
    void unknownPartitionsAreReported() {
        OffsetSample sample = new OffsetSample(T0, Map.of(0, 10L, 1, 0L, 2, 5L), Map.of(0, 4L));
        assertThat(sample.partitionsWithoutCommit()).isEqualTo(1); // partition 1 is empty
        assertThat(sample.lag()).isEqualTo(6 + 0 + 5);
    }
}
