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
}
