package com.streampulse.autoscaler.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The simulator's targets as a regression guard on the decision function: a change to the policy
 * that breaks one of issue 4's targets fails the build, not just `make autoscaler-sim`.
 */
class SimulatorTest {

    @Test
    void everyTargetIsMet() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        boolean met = Simulator.report(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String output = buffer.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("PASS step x3       settles in").doesNotContain("MISS");
        assertThat(output.lines().filter(l -> l.startsWith("  PASS"))).hasSize(7);
        assertThat(met).isTrue();
    }

    @Test
    void kedasRuleFlapsOnNoisySteadyLoadWhereOursDoesNot() {
        Trace noisy =
                Trace.all().stream()
                        .filter(t -> t.name().startsWith("noisy"))
                        .findFirst()
                        .orElseThrow();
        int initial = Simulator.initialParallelism(noisy);
        RunResult ours =
                RunResult.run(
                        noisy,
                        new OurPolicy(
                                Simulator.policy(), Simulator.INTERVAL, Simulator.RATE_WINDOW),
                        initial,
                        Simulator.SEED);
        RunResult keda =
                RunResult.run(
                        noisy,
                        new KedaRule(Simulator.KEDA_LAG_THRESHOLD, 1, Simulator.MAX_PARALLELISM),
                        initial,
                        Simulator.SEED);
        assertThat(ours.shortestReversalGap()).isGreaterThanOrEqualTo(600);
        assertThat(keda.shortestReversalGap()).isLessThan(600);
    }

    /**
     * The operator's autoscaler, driven through flink-autoscaler's own collector, evaluator and
     * executor, sees the ×3 step in the model's busy time and rates and scales to a parallelism
     * that carries 4,500 records/s (at least 5 instances of 1,000/s, aligned to 12 partitions: 6 or
     * 12), without ever exceeding the partitions.
     */
    @Test
    void theOperatorsAutoscalerFollowsTheStepOnTheModelsMetrics() {
        Trace step = Trace.all().get(0);
        RunResult operator =
                RunResult.run(
                        step,
                        new OperatorAutoscaler(Simulator.operatorSettings().get(0)),
                        Simulator.initialParallelism(step),
                        Simulator.SEED);
        assertThat(operator.rescales()).isBetween(1, 3);
        assertThat(operator.finalParallelism()).isIn(6, 12);
        assertThat(operator.unevenSeconds()).isZero();
    }
}
