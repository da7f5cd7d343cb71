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
 */
public final class Decider {

    /** EWMA weight of a new saturated capacity reading: smooths checkpoint-quantised rates. */
    private static final double CAPACITY_SMOOTHING = 0.5;

    /** Input above processing by this factor means the backlog is growing. */
    private static final double GROWING = 1.05;

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
        int from = deployment.parallelism();
        if (!deployment.stableAndRunning()) {
            return skip(
                    from, NOT_READY + " (" + deployment.state() + ")", now, memory.clearPending());
        }
        if (obs == null) {
            return skip(from, "no offsets read yet", now, memory.clearPending());
        }
        Duration age = Duration.between(obs.time(), now);
        if (age.compareTo(staleAfter) > 0) {
            return skip(
                    from,
                    "offsets are stale, last read " + age.toSeconds() + "s ago",
                    now,
                    memory.clearPending());
        }
        if (obs.partitionsWithoutCommit() > 0) {
            return skip(
                    from,
                    "no committed offset for "
                            + obs.partitionsWithoutCommit()
                            + " of "
                            + obs.partitions()
                            + " partitions",
                    now,
                    memory.clearPending());
        }
        if (obs.span().compareTo(minSpan) < 0) {
            // Not a warning: every start and restart begins here.
            return hold(
                    from,
                    0,
                    "collecting rates, "
                            + obs.span().toSeconds()
                            + "s of "
                            + minSpan.toSeconds()
                            + "s seen",
                    now,
                    memory);
        }
        if (obs.lag() > 0 && obs.commitStalledFor().compareTo(commitStallLimit) > 0) {
            return skip(
                    from,
                    "committed offsets have not moved for "
                            + obs.commitStalledFor().toSeconds()
                            + "s",
                    now,
                    memory.clearPending());
        }
        if (!obs.hasProcessedRate()) {
            return skip(from, "fewer than two checkpoint commits in the window", now, memory);
        }

        int ceiling = policy.ceiling(obs.partitions());
        if (from > ceiling) {
            // The max was lowered or partitions removed: instances above the ceiling sit idle or
            // break the limit the user set, so no stabilisation is waited for.
            return new Decision(
                    Kind.SCALE_DOWN,
                    from,
                    ceiling,
                    ceiling,
                    "above the ceiling min(max "
                            + policy.maxParallelism()
                            + ", "
                            + obs.partitions()
                            + " partitions)",
                    now,
                    memory.changedAt(now));
        }

        double nearZero =
                Math.max(obs.inputRate(), obs.processedRate())
                        * policy.lagNearZero().toMillis()
                        / 1000.0;
        // Saturated: a backlog of more than a checkpoint's worth (half of "near zero") that is not
        // shrinking, or that was there all window; the source then reads as fast as it can.
        double backlog = nearZero / 2;
        boolean saturated =
                obs.lag() > backlog
                        && (obs.minLag() > backlog
                                || obs.inputRate() > obs.processedRate() * GROWING);
        Instant lastChange = later(memory.lastChange(), deployment.lastRescale());
        Memory mem = learn(memory, obs, from, saturated, lastChange);
        if (!mem.knowsCapacity()) {
            return hold(
                    from,
                    0,
                    "capacity unknown until the job is seen saturated",
                    now,
                    mem.clearPending());
        }

        double need = obs.inputRate() + obs.lag() / (policy.catchUp().toMillis() / 1000.0);
        int desired =
                policy.clamp(
                        (int)
                                Math.ceil(
                                        need / (mem.capacity() * policy.targetUtilisation())
                                                - 1e-9),
                        obs.partitions());
        String numbers =
                String.format(
                        Locale.ROOT,
                        "in %.0f/s, lag %d, capacity %.0f/s per instance",
                        obs.inputRate(),
                        obs.lag(),
                        mem.capacity());
        Duration sinceChange = lastChange == null ? null : Duration.between(lastChange, now);
        boolean cooling = sinceChange != null && sinceChange.compareTo(policy.cooldown()) < 0;

        // A dead band against flapping: scale down to run at the target utilisation, but scale up
        // only once the current parallelism would run above halfway between it and 100%. A lower
        // parallelism chosen for the highest load of the last window therefore has to see that
        // load grow by a fifth or so before it is raised again.
        double upperUtilisation = (1 + policy.targetUtilisation()) / 2;
        boolean overloaded = need > from * mem.capacity() * upperUtilisation;
        if (desired > from && overloaded) {
            Instant since = mem.upSince() == null ? now : mem.upSince();
            Memory pending = mem.pendingUp(since);
            if (cooling) {
                return hold(
                        from,
                        desired,
                        "wants "
                                + desired
                                + " but cooling down ("
                                + (policy.cooldown().minus(sinceChange)).toSeconds()
                                + "s left); "
                                + numbers,
                        now,
                        pending);
            }
            Duration held = Duration.between(since, now);
            if (held.compareTo(policy.scaleUpStabilisation()) < 0) {
                return hold(
                        from,
                        desired,
                        "wants "
                                + desired
                                + " for "
                                + held.toSeconds()
                                + "s of "
                                + policy.scaleUpStabilisation().toSeconds()
                                + "s; "
                                + numbers,
                        now,
                        pending);
            }
            return new Decision(
                    Kind.SCALE_UP,
                    from,
                    desired,
                    desired,
                    "load needs " + desired + ": " + numbers,
                    now,
                    mem.changedAt(now));
        }
        if (desired < from) {
            if (obs.lag() > nearZero) {
                return hold(
                        from,
                        desired,
                        "would do with " + desired + " but lag is not near zero; " + numbers,
                        now,
                        mem.clearPending());
            }
            Instant since = mem.downSince() == null ? now : mem.downSince();
            Memory pending =
                    mem.pendingDown(
                            since,
                            new Memory.Recommendation(now, desired),
                            now.minus(policy.scaleDownStabilisation()));
            int highest = pending.highestDown();
            if (cooling) {
                return hold(
                        from,
                        desired,
                        "would do with "
                                + desired
                                + " but cooling down ("
                                + (policy.cooldown().minus(sinceChange)).toSeconds()
                                + "s left); "
                                + numbers,
                        now,
                        pending);
            }
            Duration held = Duration.between(since, now);
            if (held.compareTo(policy.scaleDownStabilisation()) < 0) {
                return hold(
                        from,
                        desired,
                        "would do with "
                                + highest
                                + " for "
                                + held.toSeconds()
                                + "s of "
                                + policy.scaleDownStabilisation().toSeconds()
                                + "s; "
                                + numbers,
                        now,
                        pending);
            }
            return new Decision(
                    Kind.SCALE_DOWN,
                    from,
                    highest,
                    desired,
                    "load fits " + highest + " with lag near zero: " + numbers,
                    now,
                    mem.changedAt(now));
        }
        return hold(
                from, desired, "parallelism fits the load; " + numbers, now, mem.clearPending());
    }

    /**
     * Capacity per instance: a saturated window measures it (smoothed); an unsaturated one only
     * bounds it from below. A window that began before the last change may mix two parallelisms and
     * teaches nothing.
     */
    private static Memory learn(
            Memory memory,
            Observation obs,
            int parallelism,
            boolean saturated,
            Instant lastChange) {
        if (lastChange != null && !obs.windowStart().isAfter(lastChange)) {
            return memory;
        }
        double perInstance = obs.processedRate() / parallelism;
        if (saturated && perInstance > 0) {
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

    private static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    private static Decision skip(int from, String reason, Instant now, Memory memory) {
        return new Decision(Kind.SKIP, from, from, 0, reason, now, memory);
    }

    private static Decision hold(int from, int desired, String reason, Instant now, Memory memory) {
        return new Decision(Kind.HOLD, from, from, desired, reason, now, memory);
    }
}
