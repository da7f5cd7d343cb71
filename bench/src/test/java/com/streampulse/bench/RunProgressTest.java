package com.streampulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunProgressTest {

    @Test
    void shortNameKeepsTheFirstOperatorAndTheSubtask() {
        assertThat(
                        RunProgress.shortName(
                                "Content windows -> Progress: content_stats -> PostgreSQL:"
                                        + " content_stats: Writer (1/2)#0"))
                .isEqualTo("Content windows (1/2)");
        assertThat(
                        RunProgress.shortName(
                                "Source: Kafka: latency-80 (Content windows: partials, Region"
                                        + " windows: partials), Progress: rejected_events #1"))
                .isEqualTo("Source: Kafka: latency-80 #1");
    }
}
