package com.streampulse.autoscaler.sim;

import com.streampulse.autoscaler.decide.Policy;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Replays load traces against a model of the Flink job, with our policy and KEDA's lag rule side by
 * side, and checks the targets of issue 4. {@code make autoscaler-sim}; exits 1 if a target is
 * missed.
 */
public final class Simulator {

    static final long SEED = 42;
    static final long KEDA_LAG_THRESHOLD = Long.getLong("sim.kedaThreshold", 20_000);
    static final int MAX_PARALLELISM = 12;
    static final Duration INTERVAL = Duration.ofSeconds(15);
    static final Duration RATE_WINDOW = Duration.ofSeconds(150);

    /**
     * The controller's defaults (AUTOSCALER_* unset), with max raised to the model's partitions.
     */
    static Policy policy() {
        return new Policy(
                1,
                MAX_PARALLELISM,
                Duration.ofSeconds(300),
                0.7,
                Duration.ofSeconds(60),
                Duration.ofSeconds(600),
                Duration.ofSeconds(300),
                Policy.DEFAULT_LAG_NEAR_ZERO);
    }

    private Simulator() {}

    public static void main(String[] args) {
        if (!report(System.out)) {
            System.exit(1);
        }
    }

    /** Runs every trace with both rules, prints the table and the targets; true if all are met. */
    static boolean report(PrintStream out) {
        out.printf(
                Locale.ROOT,
                "Model: %.0f records/s per instance, %d partitions, %d s restart per rescale,"
                        + " checkpoint (offset commit) every %d s, capacity noise %.0f%%.%n",
                JobModel.CAPACITY,
                JobModel.PARTITIONS,
                JobModel.RESTART_SECONDS,
                JobModel.CHECKPOINT_SECONDS,
                JobModel.CAPACITY_NOISE * 100);
        out.printf(
                Locale.ROOT,
                "Ours: the controller's defaults (interval %ds, window %ds, catch-up 300s,"
                        + " utilisation 0.7, up 60s, down 600s, cooldown 300s), max %d."
                        + " KEDA: lagThreshold %d, polling 30s, HPA down-stabilisation 300s.%n%n",
                INTERVAL.toSeconds(),
                RATE_WINDOW.toSeconds(),
                MAX_PARALLELISM,
                KEDA_LAG_THRESHOLD);
        out.println(
                "| trace | rule | rescales | reversals | peak lag | lag-seconds (M rec·s) |"
                        + " time to drain (s) | over-provisioned slot-s | final p |");
        out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        List<String> targets = new ArrayList<>();
        boolean allMet = true;
        for (Trace trace : Trace.all()) {
            // Both start from a job sized by hand at 90% utilisation for the opening load.
            int initial = initialParallelism(trace);
            RunResult ours =
                    RunResult.run(
                            trace, new OurPolicy(policy(), INTERVAL, RATE_WINDOW), initial, SEED);
            RunResult keda =
                    RunResult.run(
                            trace,
                            new KedaRule(KEDA_LAG_THRESHOLD, 1, MAX_PARALLELISM),
                            initial,
                            SEED);
            row(out, trace, "ours", ours);
            row(out, trace, "KEDA", keda);
            boolean lagMet =
                    ours.lagSeconds() <= 0.7 * keda.lagSeconds()
                            && ours.rescales() <= keda.rescales();
            allMet &= lagMet;
            targets.add(
                    String.format(
                            Locale.ROOT,
                            "%-4s %-13s lag-seconds %.2fx KEDA's (<= 0.70), rescales %d vs %d",
                            lagMet ? "PASS" : "MISS",
                            trace.name(),
                            ours.lagSeconds() / keda.lagSeconds(),
                            ours.rescales(),
                            keda.rescales()));
            if (trace.name().startsWith("step")) {
                boolean met = ours.rescales() <= 2;
                allMet &= met;
                targets.add(
                        String.format(
                                Locale.ROOT,
                                "%-4s %-13s settles in %d rescales (<= 2)",
                                met ? "PASS" : "MISS",
                                trace.name(),
                                ours.rescales()));
            }
            if (trace.name().startsWith("noisy")) {
                boolean met = ours.shortestReversalGap() >= 600;
                allMet &= met;
                targets.add(
                        String.format(
                                Locale.ROOT,
                                "%-4s %-13s no direction reversal within 10 min (%s)",
                                met ? "PASS" : "MISS",
                                trace.name(),
                                ours.reversals() == 0
                                        ? "no reversal"
                                        : "closest " + ours.shortestReversalGap() + " s"));
            }
        }
        out.println();
        out.println("Targets:");
        targets.forEach(t -> out.println("  " + t));
        return allMet;
    }

    static int initialParallelism(Trace trace) {
        return (int) Math.ceil(trace.shape().rate(0) / (JobModel.CAPACITY * 0.9));
    }

    private static void row(PrintStream out, Trace trace, String rule, RunResult r) {
        out.printf(
                Locale.ROOT,
                "| %s | %s | %d | %d | %.0f | %.1f | %d | %.0f | %d |%n",
                trace.name(),
                rule,
                r.rescales(),
                r.reversals(),
                r.peakLag(),
                r.lagSeconds() / 1e6,
                r.longestBacklog(),
                r.overSlotSeconds(),
                r.finalParallelism());
    }
}
