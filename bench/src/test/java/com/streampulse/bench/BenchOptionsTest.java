package com.streampulse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.generator.WorkloadShape;
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
        assertThat(o.backlog(WorkloadShape.WIDE)).isEqualTo(8_000_000);
        assertThat(o.steadySeconds()).isEqualTo(120);
    }

    @Test
    void backlogsAreSetForEveryShapeOrPerShape() {
        assertThat(BenchOptions.parse("--sustained-events=1000").backlog(WorkloadShape.TINY))
                .isEqualTo(1000);
        BenchOptions o = BenchOptions.parse("--sustained-events=wide:5,catalog:7");
        assertThat(o.backlog(WorkloadShape.WIDE)).isEqualTo(5);
        assertThat(o.backlog(WorkloadShape.CATALOG)).isEqualTo(7);
        assertThat(o.backlog(WorkloadShape.TINY)).isEqualTo(30_000_000);
        // The curves read the sustained backlogs unless told otherwise.
        assertThat(o.forCurves().backlog(WorkloadShape.CATALOG)).isEqualTo(7);
        assertThat(BenchOptions.parse("--curve-events=").forCurves().backlog(WorkloadShape.WIDE))
                .isEqualTo(8_000_000);
        assertThat(
                        BenchOptions.parse("--curve-events=6000000")
                                .forCurves()
                                .backlog(WorkloadShape.WIDE))
                .isEqualTo(6_000_000);
    }

    @Test
    void flinkSettingsAndJobVariablesArePairs() {
        BenchOptions o =
                BenchOptions.parse(
                        "--flink=state.backend.rocksdb.use-bloom-filter=true,a=b",
                        "--job-env=TRENDING_ENABLED=false");
        assertThat(o.flinkConf())
                .containsEntry("state.backend.rocksdb.use-bloom-filter", "true")
                .containsEntry("a", "b");
        assertThat(o.jobEnv()).containsEntry("TRENDING_ENABLED", "false");
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
    void theFeaturesSectionRunsOnceUnlessAskedForRounds() {
        assertThat(BenchOptions.parse().featureRounds()).isEqualTo(1);
        assertThat(BenchOptions.parse("--feature-rounds=3").featureRounds()).isEqualTo(3);
        assertThatThrownBy(() -> BenchOptions.parse("--feature-rounds=0"))
                .hasMessageContaining("feature rounds must be positive");
    }

    @Test
    void unknownFlagOrPhaseIsRefused() {
        assertThatThrownBy(() -> BenchOptions.parse("--event=1"))
                .hasMessageContaining("unknown options [event]");
        assertThatThrownBy(() -> BenchOptions.parse("--phases=speed"))
                .hasMessageContaining("phases must be among");
    }
}
