package com.streampulse.autoscaler.decide;

import com.streampulse.autoscaler.decide.Decision.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Decides a deployment's parallelism from observed lag and rates. A pure function: no clients, no
 * clock, no state beyond the {@link Memory} passed in and returned.
 *
 * <p>desired = ceil((inputRate + lag / catchUp) / (capacity × targetUtilisation)), clamped to [min,
 * min(max, partitions)], where capacity is the records per second one instance was seen to process
 * while saturated (a backlog throughout the window, so the source read as fast as it could).
 *
 * <p>{@link #decide} reads top to bottom: is it safe to decide, what is the load and the capacity,
 * then {@code up}, {@code down} or {@code hold}, each a small step of its own.
 */
public final class Decider {

    /** EWMA weight of a new saturated capacity reading: smooths checkpoint-quantised rates. */
    private static final double CAPACITY_SMOOTHING = 0.5;

    /** The start of the reason given while the deployment is restarting or otherwise not ready. */
    public static final String NOT_READY = "deployment is not stable and running";

    private final Duration staleAfter;
    private final Duration minSpan;
    private final Duration commitStallLimit;

    /**
     * @param staleAfter an observation older than this is not acted on
     * @param minSpan rates measured over less than this are not trusted
     * @param commitStallLimit committed offsets that have not moved for this long (with lag) mean
     *     the job is not checkpointing; its numbers are not acted on
     */
    public Decider(Duration staleAfter, Duration minSpan, Duration commitStallLimit) {
        this.staleAfter = staleAfter;
        this.minSpan = minSpan;
        this.commitStallLimit = commitStallLimit;
    }

    public Decision decide(
            Observation obs, DeploymentView deployment, Policy policy, Memory memory, Instant now) {
        Round round = new Round(deployment.parallelism(), policy, now);
        Decision unsafe = unsafe(obs, deployment, memory, round);
        if (unsafe != null) {
            return unsafe;
        }
        if (round.from > policy.ceiling(obs.partitions())) {
            return downToTheCeiling(obs, round, memory);
        }
        Load load =
                Load.of(
                        obs,
                        policy,
                        memory.restart() == null ? policy.expectedRestart() : memory.restart(),
                        deployment.flinkIdleShare());
        Instant lastChange = later(memory.lastChange(), deployment.lastRescale());
        Memory mem = learn(memory, load, round.from, lastChange);
        if (!mem.knowsCapacity()) {
            return downOnFlinksFigure(load, deployment, round, mem, lastChange);
        }
        mem = judgeLastScaleUp(mem, load, round.from, lastChange);
        boolean surge = surging(load, round.from, mem.capacity());
        int desired = recommended(load, surge, round.from, mem.capacity(), policy);
        Pending pending =
                new Pending(
                        round,
                        desired,
                        load.describe(mem.capacity()),
                        cooldownLeft(memory, lastChange, round),
                        obs.processedRate(),
                        surge);
        if (desired > round.from) {
            return up(pending, load, mem);
        }
        if (desired < round.from) {
            return down(pending, load, mem);
        }
        return hold(pending, mem);
    }

    /**
     * The max was lowered or partitions removed: instances above the ceiling sit idle or break the
     * limit the user set, so no stabilisation is waited for.
     */
    private static Decision downToTheCeiling(Observation obs, Round round, Memory memory) {
        int ceiling = round.policy.ceiling(obs.partitions());
        return round.change(
                Kind.SCALE_DOWN,
                ceiling,
                ceiling,
                "above the ceiling min(max "
                        + round.policy.maxParallelism()
                        + ", "
                        + obs.partitions()
                        + " partitions)",
                memory);
    }

    /**
     * Up: not after a scale-up that did not help, and only past the dead band's upper edge; then
     * after the stabilisation (none in a surge) and the cooldown ({@link Pending#up}).
     */
    private static Decision up(Pending pending, Load load, Memory mem) {
        Memory.UpCheck check = mem.upCheck();
        if (check != null && check.ineffective()) {
            // Flink's autoscaler does the same: a scale-up that did not raise the throughput
            // (a skewed key, a slow sink, an external limit) is not repeated.
            return pending.round.hold(
                    pending.desired,
                    String.format(
                            Locale.ROOT,
                            "wants %d but the scale-up %d->%d raised throughput only from %.0f/s"
                                    + " to %.0f/s; not scaling up again",
                            pending.desired,
                            check.from(),
                            check.to(),
                            check.before(),
                            load.obs().processedRate()),
                    mem.clearPending());
        }
        if (!pending.surge
                && !overloaded(load, pending.round.from, mem.capacity(), pending.round.policy)) {
            return hold(pending, mem);
        }
        return pending.up(mem);
    }

    /**
     * Down: starts only with lag near zero and acts only with lag near zero, after the
     * stabilisation and the cooldown. In between, a round with lag above near zero does not start
     * the stabilisation over as long as the job keeps up (the backlog is not growing: committed
     * offsets trail by a checkpoint interval and its duration, so a caught-up job on a loaded
     * machine crosses "near zero" now and then) and the lower parallelism, lag included, still
     * does; that round's recommendation counts towards the highest of the window. A growing
     * backlog, or one the current parallelism is needed for, ends it.
     */
    private static Decision down(Pending pending, Load load, Memory mem) {
        if (load.caughtUp()) {
            return pending.down(mem, true);
        }
        if (mem.downSince() != null && !load.saturated()) {
            return pending.down(mem, false);
        }
        return pending.round.hold(
                pending.desired,
                "would do with "
                        + pending.desired
                        + " but lag is not near zero; "
                        + pending.numbers,
                mem.clearPending());
    }

    /** Hold: the parallelism fits the load (or sits inside the dead band). */
    private static Decision hold(Pending pending, Memory mem) {
        return pending.round.hold(
                pending.desired,
                "parallelism fits the load; " + pending.numbers,
                mem.clearPending());
    }

    /**
     * The cooldown follows a change, counted from when the job runs again, so a slow restart does
     * not eat it.
     */
    private static Duration cooldownLeft(Memory memory, Instant lastChange, Round round) {
        if (lastChange == null) {
            return Duration.ZERO;
        }
        Instant coolingFrom = later(lastChange, memory.runningAgain());
        return round.policy.cooldown().minus(Duration.between(coolingFrom, round.now));
    }

    /** A skip (or, while rates are still being collected, a hold) when deciding is not safe. */
    private Decision unsafe(
            Observation obs, DeploymentView deployment, Memory memory, Round round) {
        if (!deployment.stableAndRunning()) {
            return round.skip(NOT_READY + " (" + deployment.state() + ")", memory.clearPending());
        }
        if (obs == null) {
            return round.skip("no offsets read yet", memory.clearPending());
        }
        Duration age = Duration.between(obs.time(), round.now);
        if (age.compareTo(staleAfter) > 0) {
            return round.skip(
                    "offsets are stale, last read " + age.toSeconds() + "s ago",
                    memory.clearPending());
        }
        if (obs.partitionsWithoutCommit() > 0) {
            return round.skip(
                    "no committed offset for "
                            + obs.partitionsWithoutCommit()
                            + " of "
                            + obs.partitions()
                            + " partitions",
                    memory.clearPending());
        }
        if (obs.span().compareTo(minSpan) < 0) {
            // Not a warning: every start and restart begins here.
            return round.hold(
                    0,
                    "collecting rates, "
                            + obs.span().toSeconds()
                            + "s of "
                            + minSpan.toSeconds()
                            + "s seen",
                    memory);
        }
        if (obs.lag() > 0 && obs.commitStalledFor().compareTo(commitStallLimit) > 0) {
            return round.skip(
                    "committed offsets have not moved for "
                            + obs.commitStalledFor().toSeconds()
                            + "s",
                    memory.clearPending());
        }
        if (!obs.hasProcessedRate()) {
            return round.skip("fewer than two checkpoint commits in the window", memory);
        }
        return null;
    }

    /**
     * The parallelism the load needs at the target utilisation, backlog of its own restart
     * included, clamped and aligned.
     */
    private static int desired(double need, double capacity, Policy policy, int partitions) {
        int raw = (int) Math.ceil(need / (capacity * policy.targetUtilisation()) - 1e-9);
        return policy.align(raw, partitions);
    }

    /**
     * This round's recommendation. The window's average input trails a change by up to the window's
     * length: a rise (a surge), and a fall (for a while after a spike it still holds some of the
     * spike). So on a surge the target is sized on the last interval's rate when that is higher,
     * and a recommendation below the current parallelism on the last interval's rate; the
     * scale-down then takes the highest of 10 minutes of those, and that window, as the HPA's, is
     * what guards it against noise.
     */
    private static int recommended(
            Load load, boolean surge, int from, double capacity, Policy policy) {
        Observation obs = load.obs();
        int partitions = obs.partitions();
        if (surge) {
            double input = Math.max(obs.inputRate(), obs.latestInputRate());
            return desired(load.needAfterRestartAt(input), capacity, policy, partitions);
        }
        int desired = desired(load.needAfterRestart(), capacity, policy, partitions);
        if (desired >= from) {
            return desired;
        }
        double latest = load.needAfterRestartAt(obs.latestInputRate());
        return Math.min(from, desired(latest, capacity, policy, partitions));
    }

    /**
     * A surge: the input of the last interval alone is more than the current parallelism can
     * process at full use, and the backlog grows (the source is saturated). Waiting for the
     * stabilisation then only adds backlog: noise does not carry a window's average that far past
     * the dead band (a scale-down lands at 0.7 of the highest load of 10 minutes), a rise does. The
     * target is sized on that last rate, since the window's average still mixes in the load before
     * the rise.
     */
    private static boolean surging(Load load, int from, double capacity) {
        return load.saturated() && load.obs().latestInputRate() > from * capacity;
    }

    /**
     * A dead band against flapping: scale down to run at the target utilisation, but scale up only
     * once the current parallelism would run above halfway between it and 100%. A lower parallelism
     * chosen for the highest load of the last window therefore has to see that load grow by a fifth
     * or so before it is raised again.
     */
    private static boolean overloaded(Load load, int from, double capacity, Policy policy) {
        double upperUtilisation = (1 + policy.targetUtilisation()) / 2;
        return load.need() > from * capacity * upperUtilisation;
    }

    /**
     * Without a learned capacity, a job that is never saturated (over-provisioned, or after a
     * failover that lost the learned value) could never come down. Flink's own figure (records in
     * per fully busy instance) lets it, with lag near zero and after the usual stabilisation; it is
     * kept only once it has brought the job down. It does not drive a scale-up and is not kept
     * otherwise: busy time misjudges a source whose limit is not its CPU (a rate limit, a slow
     * broker), and a figure too high would hold back the saturated windows that measure capacity
     * directly.
     */
    private static Decision downOnFlinksFigure(
            Load load, DeploymentView deployment, Round round, Memory mem, Instant lastChange) {
        double flink = deployment.flinkCapacity();
        String unknown = "capacity unknown until the job is seen saturated";
        if (!(flink > 0) || Double.isInfinite(flink)) {
            return round.hold(0, unknown, mem.clearPending());
        }
        int desired =
                desired(load.needAfterRestart(), flink, round.policy, load.obs().partitions());
        if (desired >= round.from) {
            return round.hold(0, unknown, mem.clearPending());
        }
        Pending pending =
                new Pending(
                        round,
                        desired,
                        load.describe(flink) + " (Flink's busy time)",
                        cooldownLeft(mem, lastChange, round),
                        load.obs().processedRate(),
                        false);
        Decision down = down(pending, load, mem.withCapacity(flink));
        if (down.kind() == Kind.SCALE_DOWN) {
            return down;
        }
        return new Decision(
                down.kind(),
                down.from(),
                down.to(),
                down.desired(),
                down.reason(),
                down.time(),
                down.memory().withCapacity(Double.NaN));
    }

    /**
     * Capacity per instance: a saturated window measures it (smoothed); an unsaturated one only
     * bounds it from below. A window that began before the last change may mix two parallelisms and
     * teaches nothing.
     */
    private static Memory learn(Memory memory, Load load, int parallelism, Instant lastChange) {
        Observation obs = load.obs();
        if (lastChange != null && !obs.windowStart().isAfter(lastChange)) {
            return memory;
        }
        double perInstance = obs.processedRate() / parallelism;
        if (load.saturated() && perInstance > 0) {
            return memory.withCapacity(
                    memory.knowsCapacity()
                            ? CAPACITY_SMOOTHING * perInstance
                                    + (1 - CAPACITY_SMOOTHING) * memory.capacity()
                            : perInstance);
        }
        if (memory.knowsCapacity() && perInstance > memory.capacity()) {
            return memory.withCapacity(perInstance);
        }
        return memory;
    }

    /**
     * Judges the last scale-up on the first saturated window entirely after it: throughput must
     * have grown by at least a tenth of what the added instances promised. Forgotten once the
     * parallelism is no longer the one it set.
     */
    private static Memory judgeLastScaleUp(
            Memory memory, Load load, int parallelism, Instant lastChange) {
        Memory.UpCheck check = memory.upCheck();
        if (check == null) {
            return memory;
        }
        if (check.to() != parallelism) {
            return memory.withUpCheck(null);
        }
        Observation obs = load.obs();
        boolean after = lastChange == null || obs.windowStart().isAfter(lastChange);
        if (check.judged() || !after || !load.saturated() || check.before() <= 0) {
            return memory;
        }
        double promised = (double) check.to() / check.from() - 1;
        double gained = obs.processedRate() / check.before() - 1;
        return memory.withUpCheck(
                new Memory.UpCheck(
                        check.from(), check.to(), check.before(), true, gained < 0.1 * promised));
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    /** The parts every outcome of one round shares. */
    private record Round(int from, Policy policy, Instant now) {

        Decision skip(String reason, Memory memory) {
            return new Decision(Kind.SKIP, from, from, 0, reason, now, memory);
        }

        Decision hold(int desired, String reason, Memory memory) {
            return new Decision(Kind.HOLD, from, from, desired, reason, now, memory);
        }

        Decision change(Kind kind, int to, int desired, String reason, Memory memory) {
            return new Decision(kind, from, to, desired, reason, now, memory.changedAt(now));
        }
    }

    /**
     * A recommendation that differs from the current parallelism: acted on once it has held for its
     * stabilisation and the cooldown is over.
     */
    private record Pending(
            Round round,
            int desired,
            String numbers,
            Duration cooldownLeft,
            double throughput,
            boolean surge) {

        Decision up(Memory mem) {
            Instant since = mem.upSince() == null ? round.now : mem.upSince();
            Memory pending = mem.pendingUp(since);
            String wants = "wants " + desired;
            if (cooling()) {
                return round.hold(desired, wants + coolingReason(), pending);
            }
            Duration held = Duration.between(since, round.now);
            Duration needed = surge ? Duration.ZERO : round.policy.scaleUpStabilisation();
            if (held.compareTo(needed) < 0) {
                return round.hold(desired, wants + waited(held, needed), pending);
            }
            return round.change(
                    Kind.SCALE_UP,
                    desired,
                    desired,
                    "load needs "
                            + desired
                            + (surge
                                    ? " now (surge: the last interval's input alone is more than "
                                            + round.from
                                            + " can process)"
                                    : "")
                            + ": "
                            + numbers,
                    mem.withUpCheck(
                            new Memory.UpCheck(round.from, desired, throughput, false, false)));
        }

        /**
         * Scale-down goes to the highest recommendation of the stabilisation window, in a round
         * with lag near zero.
         */
        Decision down(Memory mem, boolean lagNearZero) {
            Duration needed = round.policy.scaleDownStabilisation();
            Instant since = mem.downSince() == null ? round.now : mem.downSince();
            Memory pending =
                    mem.pendingDown(
                            since,
                            new Memory.Recommendation(round.now, desired),
                            round.now.minus(needed));
            int highest = pending.highestDown();
            if (!lagNearZero) {
                return round.hold(
                        desired,
                        "would do with "
                                + highest
                                + " once lag is near zero again (the backlog is not growing;"
                                + " the stabilisation goes on); "
                                + numbers,
                        pending);
            }
            if (cooling()) {
                return round.hold(desired, "would do with " + desired + coolingReason(), pending);
            }
            Duration held = Duration.between(since, round.now);
            if (held.compareTo(needed) < 0) {
                return round.hold(
                        desired, "would do with " + highest + waited(held, needed), pending);
            }
            return round.change(
                    Kind.SCALE_DOWN,
                    highest,
                    desired,
                    "load fits " + highest + " with lag near zero: " + numbers,
                    mem);
        }

        private boolean cooling() {
            return !cooldownLeft.isNegative() && !cooldownLeft.isZero();
        }

        private String coolingReason() {
            return " but cooling down (" + cooldownLeft.toSeconds() + "s left); " + numbers;
        }

        private String waited(Duration held, Duration needed) {
            return " for " + held.toSeconds() + "s of " + needed.toSeconds() + "s; " + numbers;
        }
    }
}
