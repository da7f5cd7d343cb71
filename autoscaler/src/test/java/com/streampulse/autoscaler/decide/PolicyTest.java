package com.streampulse.autoscaler.decide;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyTest {

    static Policy between(int min, int max) {
        return new Policy(
                min,
                max,
                Duration.ofSeconds(300),
                0.7,
                Duration.ofSeconds(60),
                Duration.ofSeconds(600),
                Duration.ofSeconds(300),
                Duration.ofSeconds(60));
    }

    @Test
    void twelvePartitionsSpreadEvenlyOverTheirDivisorsOnly() {
        Policy policy = between(1, 12);
        List<Integer> chosen = new ArrayList<>();
        for (int p = 1; p <= 12; p++) {
            chosen.add(policy.align(p, 12));
        }
        assertThat(chosen).containsExactly(1, 2, 3, 4, 6, 6, 12, 12, 12, 12, 12, 12);
    }

    @Test
    void tenPartitionsAlsoAcceptFourAsNoLowerValueReadsFewer() {
        Policy policy = between(1, 10);
        // 4 subtasks read 3, 3, 2, 2; 3 subtasks read 4, 3, 3.
        assertThat(policy.align(4, 10)).isEqualTo(4);
        assertThat(policy.align(6, 10)).isEqualTo(10);
        assertThat(policy.align(5, 10)).isEqualTo(5);
    }

    @Test
    void roundsDownWhenRoundingUpWouldPassTheMaximum() {
        assertThat(between(1, 8).align(7, 12)).isEqualTo(6);
        assertThat(between(1, 8).align(20, 12)).isEqualTo(6);
    }

    @Test
    void theMinimumStandsEvenWhenItDoesNotSpreadEvenly() {
        assertThat(between(5, 8).align(1, 12)).isEqualTo(6);
        assertThat(between(5, 5).align(1, 12)).isEqualTo(5);
        assertThat(between(16, 20).align(1, 12)).isEqualTo(16);
    }
}
