package com.streampulse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void defaultsAreThoseOfTheIssue() {
        BenchOptions o = BenchOptions.parse();
        assertThat(o.events()).isEqualTo(5_000_000);
        assertThat(o.partitions()).isEqualTo(8);
        assertThat(o.runs()).isEqualTo(3);
        assertThat(o.latencyRate()).isEqualTo(50_000);
        assertThat(o.scaleKeys()).isEqualTo(1_000_000);
        assertThat(o.phases()).isEqualTo(BenchOptions.ALL_PHASES);
    }

    @Test
    void flagsOverrideDefaults() {
        BenchOptions o =
                BenchOptions.parse("--events=1_000_000", "--seed=7", "--phases=throughput,scale");
        assertThat(o.events()).isEqualTo(1_000_000);
        assertThat(o.seed()).isEqualTo(7);
        assertThat(o.phases()).isEqualTo(Set.of("throughput", "scale"));
    }

    @Test
    void unknownFlagOrPhaseIsRefused() {
        assertThatThrownBy(() -> BenchOptions.parse("--event=1"))
                .hasMessageContaining("unknown options [event]");
        assertThatThrownBy(() -> BenchOptions.parse("--phases=speed"))
                .hasMessageContaining("phases must be among");
    }
}
