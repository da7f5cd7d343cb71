package com.streampulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfOddCountIsTheMiddleValue() {
        assertThat(Stats.of(List.of(300.0, 100.0, 200.0))).isEqualTo(new Stats(200, 100, 300));
    }

    @Test
    void medianOfEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Stats.of(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(new Stats(2.5, 1, 4));
    }

    @Test
    void percentileIsTheNearestRank() {
        List<Double> hundred = new java.util.ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            hundred.add((double) i);
        }
        assertThat(Stats.percentile(hundred, 99)).isEqualTo(99);
        assertThat(Stats.percentile(hundred, 100)).isEqualTo(100);
        assertThat(Stats.percentile(List.of(7.0, 5.0), 99)).isEqualTo(7);
    }

    @Test
    void noValuesGiveNaN() {
        assertThat(Stats.of(List.of()).median()).isNaN();
    }
}
