package com.streampulse.autoscaler.sim;

import com.streampulse.autoscaler.decide.Policy;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Replays load traces against a model of the Flink job, with our policy, KEDA's lag rule and the
 * Flink Kubernetes Operator's autoscaler side by side, and reports the targets of issues 4 and 13
 * met or missed ({@code make autoscaler-sim}).
 */
public final class Simulator {

    static final long SEED = 42;
    static final long KEDA_LAG_THRESHOLD = Long.getLong("sim.kedaThreshold", 20_000);
    static final int MAX_PARALLELISM = 12;
    static final Duration INTERVAL = Duration.ofSeconds(15);
    static final Duration RATE_WINDOW = Duration.ofSeconds(150);
    static final int CHOICE_SEEDS = Integer.getInteger("sim.choiceSeeds", 5);

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
                Policy.DEFAULT_LAG_NEAR_ZERO,
                Policy.DEFAULT_EXPECTED_RESTART);
    }

    private Simulator() {}

    /** KEDA settings swept for its best: lagThreshold × HPA scale-up window × scale-down window. */
    static List<KedaRule> kedaSettings() {
        List<KedaRule> rules = new ArrayList<>();
        for (long threshold : new long[] {5_000, 10_000, 20_000, 40_000}) {
            for (int up : new int[] {0, 120}) {
                for (int down : new int[] {300, 600}) {
                    rules.add(new KedaRule(threshold, 1, MAX_PARALLELISM, up, down));
                }
            }
        }
        return rules;
    }

    /**
     * Prints the seed-42 table and the sweep, each with its targets met or missed. A missed target
     * is reported, not a failure: SimulatorTest guards the seed-42 targets in the build.
     */
    public static void main(String[] args) {
        boolean met =
                Boolean.parseBoolean(System.getProperty("sim.report", "true"))
                        ? report(System.out)
                        : true;
        int seeds = Integer.getInteger("sim.seeds", 100);
        System.out.println();
        met &= sweep(System.out, seeds);
        System.out.println();
        System.out.println(met ? "Every target met." : "Some targets MISSED (see the tables).");
    }

    /** Mean and standard deviation over seeds. */
    record Spread(double mean, double sd) {
        static Spread of(double[] values) {
            double mean = java.util.Arrays.stream(values).average().orElse(0);
            double var =
                    java.util.Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum()
                            / Math.max(1, values.length - 1);
            return new Spread(mean, Math.sqrt(var));
        }

        String show(double unit, String format) {
            return String.format(Locale.ROOT, format + " ± " + format, mean / unit, sd / unit);
        }
    }

    /** Every seed of one rule on one trace and variant. */
    record Runs(RunResult[] results) {
        Spread lag() {
            return Spread.of(
                    java.util.Arrays.stream(results).mapToDouble(RunResult::lagSeconds).toArray());
        }

        Spread slots() {
            return Spread.of(
                    java.util.Arrays.stream(results).mapToDouble(RunResult::slotSeconds).toArray());
        }

        int mostUnevenSeconds() {
            return java.util.Arrays.stream(results)
                    .mapToInt(RunResult::unevenSeconds)
                    .max()
                    .orElse(0);
        }

        Spread rescales() {
            return Spread.of(
                    java.util.Arrays.stream(results).mapToDouble(RunResult::rescales).toArray());
        }

        static Runs of(Trace trace, Supplier<Scaler> scaler, JobModel.Variant variant, int seeds) {
            int initial = initialParallelism(trace);
            // Seeds are independent: both cores.
            return new Runs(
                    java.util.stream.IntStream.rangeClosed(1, seeds)
                            .parallel()
                            .mapToObj(
                                    seed ->
                                            RunResult.run(
                                                    trace, scaler.get(), initial, seed, variant))
                            .toArray(RunResult[]::new));
        }
    }

    /**
     * The Flink Kubernetes Operator's autoscaler, swept as KEDA is: metric window × stabilisation ×
     * scale-down interval, at the target utilisation of ours (0.7, its default boundary 0.3).
     */
    static List<OperatorAutoscaler.Settings> operatorSettings() {
        List<OperatorAutoscaler.Settings> settings = new ArrayList<>();
        for (int window : new int[] {180, 600}) {
            for (int stabilization : new int[] {60, 300}) {
                for (int downInterval : new int[] {600, 3600}) {
                    settings.add(
                            new OperatorAutoscaler.Settings(
                                    Duration.ofSeconds(window),
                                    Duration.ofSeconds(stabilization),
                                    Duration.ofSeconds(downInterval),
                                    0.7,
                                    0.3));
                }
            }
        }
        return settings;
    }

    /** A baseline at its best setting for one trace and model, by the score the targets weigh. */
    record Best(String settings, Runs runs) {}

    /**
     * The setting is chosen on the first {@code CHOICE_SEEDS} seeds (every setting over every seed
     * would be six times the runs) and then run over all of them.
     */
    static Best best(
            Runs ours,
            Trace trace,
            JobModel.Variant variant,
            int seeds,
            Map<String, Supplier<Scaler>> settings) {
        String bestSetting = null;
        double bestScore = Double.MAX_VALUE;
        int choice = Math.min(seeds, CHOICE_SEEDS);
        Runs oursOnChoice = new Runs(java.util.Arrays.copyOf(ours.results(), choice));
        for (Map.Entry<String, Supplier<Scaler>> setting : settings.entrySet()) {
            Runs runs = Runs.of(trace, setting.getValue(), variant, choice);
            double score =
                    runs.lag().mean() / Math.max(1, oursOnChoice.lag().mean())
                            + runs.slots().mean() / oursOnChoice.slots().mean();
            if (score < bestScore) {
                bestScore = score;
                bestSetting = setting.getKey();
            }
        }
        return new Best(bestSetting, Runs.of(trace, settings.get(bestSetting), variant, seeds));
    }

    static Map<String, Supplier<Scaler>> kedaChoices() {
        Map<String, Supplier<Scaler>> choices = new LinkedHashMap<>();
        kedaSettings().forEach(s -> choices.put(s.settings(), () -> new KedaRule(s)));
        return choices;
    }

    static Map<String, Supplier<Scaler>> operatorChoices() {
        Map<String, Supplier<Scaler>> choices = new LinkedHashMap<>();
        operatorSettings().forEach(s -> choices.put(s.label(), () -> new OperatorAutoscaler(s)));
        return choices;
    }

    /**
     * Issue 13's comparison: every trace under both capacity models and both restart times, over
     * {@code seeds} seeds, against KEDA and the operator's autoscaler, each at its best setting
     * (the lowest sum of lag-seconds and slot-seconds, each relative to ours: the two quantities
     * the targets weigh). True when every target is met.
     */
    static boolean sweep(PrintStream out, int seeds) {
        out.printf(
                Locale.ROOT,
                "Over %d seeds per trace (mean ± sd). KEDA: its best of %d settings, the operator's"
                        + " autoscaler its best of %d, per trace and model.%n%n",
                seeds,
                kedaSettings().size(),
                operatorSettings().size());
        out.println(
                "| model | trace | rule | lag-seconds (M rec·s) | slot-seconds (k) | rescales | lag"
                    + " vs KEDA | cost vs KEDA | target | lag vs operator | cost vs operator |");
        out.println("|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|");
        boolean allMet = true;
        int[] uneven = new int[3];
        // -Dsim.variants=0,2 and -Dsim.traces=step,ramp run a part of the sweep.
        String variants = System.getProperty("sim.variants", "0,1,2,3");
        String traces = System.getProperty("sim.traces", "");
        for (JobModel.Variant variant : JobModel.Variant.all()) {
            if (!List.of(variants.split(","))
                    .contains(Integer.toString(JobModel.Variant.all().indexOf(variant)))) {
                continue;
            }
            for (Trace trace : Trace.all()) {
                if (!traces.isEmpty()
                        && List.of(traces.split(",")).stream()
                                .noneMatch(trace.name()::startsWith)) {
                    continue;
                }
                Runs ours =
                        Runs.of(
                                trace,
                                () -> new OurPolicy(policy(), INTERVAL, RATE_WINDOW),
                                variant,
                                seeds);
                Best keda = best(ours, trace, variant, seeds, kedaChoices());
                Best operator = best(ours, trace, variant, seeds, operatorChoices());
                uneven[0] = Math.max(uneven[0], ours.mostUnevenSeconds());
                uneven[1] = Math.max(uneven[1], keda.runs().mostUnevenSeconds());
                uneven[2] = Math.max(uneven[2], operator.runs().mostUnevenSeconds());
                double lagRatio = ours.lag().mean() / Math.max(1, keda.runs().lag().mean());
                double costRatio = ours.slots().mean() / keda.runs().slots().mean();
                boolean met =
                        lagRatio <= 0.8
                                && costRatio <= 1.1
                                && ours.rescales().mean() <= keda.runs().rescales().mean();
                String extra = "";
                if (trace.name().startsWith("step")) {
                    int worst =
                            java.util.Arrays.stream(ours.results())
                                    .mapToInt(RunResult::rescales)
                                    .max()
                                    .orElse(0);
                    met &= worst <= 2;
                    extra = "; worst seed " + worst + " rescales (<= 2)";
                }
                if (trace.name().startsWith("noisy")) {
                    int closest =
                            java.util.Arrays.stream(ours.results())
                                    .mapToInt(RunResult::shortestReversalGap)
                                    .min()
                                    .orElse(Integer.MAX_VALUE);
                    met &= closest >= 600;
                    extra =
                            "; closest reversal "
                                    + (closest == Integer.MAX_VALUE ? "none" : closest + " s")
                                    + " (>= 600)";
                }
                allMet &= met;
                String model = variant.label();
                out.printf(
                        Locale.ROOT,
                        "| %s | %.2f× | %.2f× | %s%s | %.2f× | %.2f× |%n",
                        cells(model, trace, ours),
                        lagRatio,
                        costRatio,
                        met ? "met" : "MISSED",
                        extra,
                        ours.lag().mean() / Math.max(1, operator.runs().lag().mean()),
                        ours.slots().mean() / operator.runs().slots().mean());
                out.printf(
                        Locale.ROOT,
                        "| %s | %s | KEDA (%s) | %s | | | | | |%n",
                        model,
                        trace.name(),
                        keda.settings(),
                        cells(keda.runs()));
                out.printf(
                        Locale.ROOT,
                        "| %s | %s | operator (%s) | %s | | | | | |%n",
                        model,
                        trace.name(),
                        operator.settings(),
                        cells(operator.runs()));
            }
        }
        out.printf(
                Locale.ROOT,
                "%nMost seconds one run processed at a parallelism that spreads the partitions"
                        + " unevenly (where the capacity models differ): ours %d, KEDA %d,"
                        + " operator %d.%n",
                uneven[0],
                uneven[1],
                uneven[2]);
        return allMet;
    }

    private static String cells(String model, Trace trace, Runs runs) {
        return model + " | " + trace.name() + " | ours | " + cells(runs);
    }

    private static String cells(Runs runs) {
        return runs.lag().show(1e6, "%.1f")
                + " | "
                + runs.slots().show(1e3, "%.0f")
                + " | "
                + runs.rescales().show(1, "%.1f");
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
