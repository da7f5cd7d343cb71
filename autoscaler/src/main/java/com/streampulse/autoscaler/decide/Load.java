package com.streampulse.autoscaler.decide;

import java.util.Locale;

/**
 * What one observation says about the load, in the terms the decision uses.
 *
 * @param need records per second the job must process: the input rate plus the backlog spread over
 *     the catch-up target
 * @param nearZero a lag of at most this many records counts as caught up
 * @param saturated a backlog of more than a checkpoint's worth (half of "near zero") that is not
 *     shrinking, or that was there all window: the source then reads as fast as it can
 */
record Load(Observation obs, double need, double nearZero, boolean saturated) {

    /** Input above processing by this factor means the backlog is growing. */
    private static final double GROWING = 1.05;

    static Load of(Observation obs, Policy policy) {
        double nearZero =
                Math.max(obs.inputRate(), obs.processedRate())
                        * policy.lagNearZero().toMillis()
                        / 1000.0;
        double backlog = nearZero / 2;
        boolean saturated =
                obs.lag() > backlog
                        && (obs.minLag() > backlog
                                || obs.inputRate() > obs.processedRate() * GROWING);
        double need = obs.inputRate() + obs.lag() / (policy.catchUp().toMillis() / 1000.0);
        return new Load(obs, need, nearZero, saturated);
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
