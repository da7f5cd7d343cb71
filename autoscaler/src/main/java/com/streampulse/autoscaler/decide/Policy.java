package com.streampulse.autoscaler.decide;

import java.time.Duration;

/**
 * How the decision is made for one deployment: the controller's defaults, overridden per deployment
 * by annotations.
 *
 * @param minParallelism never below this
 * @param maxParallelism never above this (nor above the topic's partition count)
 * @param catchUp how fast a backlog should be worked off: lag / catchUp is added to the input rate
 * @param targetUtilisation the share of learned capacity the job should run at (headroom)
 * @param scaleUpStabilisation how long a higher recommendation must hold before acting
 * @param scaleDownStabilisation how long a lower recommendation (and lag near zero) must hold
 * @param cooldown no change within this long after the previous one
 * @param lagNearZero lag counts as "near zero" while it is at most this many seconds of input;
 *     offsets are committed only on checkpoints, so this must exceed a checkpoint interval
 * @param expectedRestart how long a rescale stops processing until one was measured for the
 *     deployment: the input of that time is backlog the new parallelism must also work off
 */
public record Policy(
        int minParallelism,
        int maxParallelism,
        Duration catchUp,
        double targetUtilisation,
        Duration scaleUpStabilisation,
        Duration scaleDownStabilisation,
        Duration cooldown,
        Duration lagNearZero,
        Duration expectedRestart) {

    public static final Duration DEFAULT_LAG_NEAR_ZERO = Duration.ofSeconds(60);
    public static final Duration DEFAULT_EXPECTED_RESTART = Duration.ofSeconds(60);

    /** Without a restart allowance (a model whose rescales cost nothing). */
    public Policy(
            int minParallelism,
            int maxParallelism,
            Duration catchUp,
            double targetUtilisation,
            Duration scaleUpStabilisation,
            Duration scaleDownStabilisation,
            Duration cooldown,
            Duration lagNearZero) {
        this(
                minParallelism,
                maxParallelism,
                catchUp,
                targetUtilisation,
                scaleUpStabilisation,
                scaleDownStabilisation,
                cooldown,
                lagNearZero,
                Duration.ZERO);
    }

    public Policy {
        if (minParallelism < 1 || maxParallelism < minParallelism) {
            throw new IllegalArgumentException(
                    "need 1 <= min <= max parallelism, got "
                            + minParallelism
                            + ".."
                            + maxParallelism);
        }
        if (!(targetUtilisation > 0 && targetUtilisation <= 1)) {
            throw new IllegalArgumentException(
                    "target utilisation must be in (0, 1], got " + targetUtilisation);
        }
    }

    /** The highest parallelism allowed on a topic with this many partitions. */
    public int ceiling(int partitions) {
        return Math.max(minParallelism, Math.min(maxParallelism, partitions));
    }

    public int clamp(int parallelism, int partitions) {
        return Math.max(minParallelism, Math.min(ceiling(partitions), parallelism));
    }

    /**
     * The parallelism to run instead of {@code parallelism}: clamped, then raised to the smallest
     * value that spreads the partitions as evenly as any lower one can. Kafka assigns whole
     * partitions, so the busiest subtask reads ceil(partitions / p) of them; 5 subtasks on 12
     * partitions read 3, 3, 2, 2, 2 and go no faster than 4. Such values (the divisors, and values
     * like 4 of 10) are the ones worth a restart. When rounding up would pass the ceiling, the
     * largest such value below it is taken instead.
     */
    public int align(int parallelism, int partitions) {
        int p = clamp(parallelism, partitions);
        if (partitions < 1) {
            return p;
        }
        int ceiling = ceiling(partitions);
        for (int up = p; up <= ceiling; up++) {
            if (spreadsEvenly(up, partitions)) {
                return up;
            }
        }
        for (int down = p - 1; down >= minParallelism; down--) {
            if (spreadsEvenly(down, partitions)) {
                return down;
            }
        }
        return p;
    }

    /** No lower parallelism gives its busiest subtask as few partitions. */
    static boolean spreadsEvenly(int parallelism, int partitions) {
        if (parallelism >= partitions) {
            return parallelism == partitions;
        }
        int perSubtask = (partitions + parallelism - 1) / parallelism;
        return (partitions + perSubtask - 1) / perSubtask == parallelism;
    }
}
