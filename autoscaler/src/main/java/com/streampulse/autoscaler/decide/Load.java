package com.streampulse.autoscaler.decide;

import java.time.Duration;
import java.util.Locale;

/**
 * What one observation says about the load, in the terms the decision uses.
 *
 * @param need records per second the job must process: the input rate plus the backlog spread over
 *     the catch-up target
 * @param nearZero a lag of at most this many records counts as caught up
 * @param saturated a backlog of more than a checkpoint's worth (half of "near zero") that is not
 *     shrinking, or that was there all window, and a source that was not idle for half the window
 *     or more (when Flink's counters were read): the source then reads as fast as it can. The idle
 *     check tells a backlog from a steady lag of slow checkpoints, which offsets alone cannot.
 * @param catchUpSeconds the policy's catch-up time
 * @param restartSeconds the expected downtime of a rescale
 */
record Load(
        Observation obs,
        double need,
        double nearZero,
        boolean saturated,
        double catchUpSeconds,
        double restartSeconds) {

    /** Input above processing by this factor means the backlog is growing. */
    private static final double GROWING = 1.05;

    /** A source idle this share of the time or more is not saturated. */
    private static final double IDLE_WHEN_NOT_SATURATED = 0.5;

    static Load of(Observation obs, Policy policy, Duration restart, double flinkIdleShare) {
        double nearZero =
                Math.max(obs.inputRate(), obs.processedRate())
                        * policy.lagNearZero().toMillis()
                        / 1000.0;
        double backlog = nearZero / 2;
        boolean saturated =
                obs.lag() > backlog
                        && (obs.minLag() > backlog
                                || obs.inputRate() > obs.processedRate() * GROWING)
                        && !(flinkIdleShare >= IDLE_WHEN_NOT_SATURATED);
        double catchUp = policy.catchUp().toMillis() / 1000.0;
        double restartSeconds = restart.toMillis() / 1000.0;
        double need = obs.inputRate() + obs.lag() / catchUp;
        return new Load(obs, need, nearZero, saturated, catchUp, restartSeconds);
    }

    /**
     * What a new parallelism must process: as {@code need}, with the input of the rescale's own
     * downtime added to the backlog.
     */
    double needAfterRestart() {
        return needAfterRestartAt(obs.inputRate());
    }

    /** The same at another input rate than the window's. */
    double needAfterRestartAt(double input) {
        return input + (obs.lag() + input * restartSeconds) / catchUpSeconds;
    }

    boolean caughtUp() {
        return obs.lag() <= nearZero;
    }

    String describe(double capacity) {
        return String.format(
                Locale.ROOT,
                "in %.0f/s, lag %d, capacity %.0f/s per instance",
                obs.inputRate(),
                obs.lag(),
                capacity);
    }
}
