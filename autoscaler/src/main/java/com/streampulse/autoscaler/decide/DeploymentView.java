package com.streampulse.autoscaler.decide;

import java.time.Instant;

/**
 * What the decision needs to know of a FlinkDeployment.
 *
 * @param stableAndRunning status.lifecycleState is STABLE and status.jobStatus.state is RUNNING
 * @param state a short description of both, for reasons
 * @param parallelism the parallelism the job runs at now
 * @param lastRescale when this controller (any instance) last changed it, from the annotation; null
 *     if never
 * @param flinkCapacity records per second one instance processes when fully busy, from Flink's own
 *     counters of the source (records in per busy second; NaN when not read): the capacity to start
 *     from when none was learned, e.g. for a job that was never saturated
 * @param flinkIdleShare the share of time the source's subtasks were idle over the rate window,
 *     from the same counters (NaN when not read): a source idle half the time is not saturated,
 *     whatever the lag says
 */
public record DeploymentView(
        boolean stableAndRunning,
        String state,
        int parallelism,
        Instant lastRescale,
        double flinkCapacity,
        double flinkIdleShare) {

    public DeploymentView(
            boolean stableAndRunning, String state, int parallelism, Instant lastRescale) {
        this(stableAndRunning, state, parallelism, lastRescale, Double.NaN, Double.NaN);
    }

    public DeploymentView(
            boolean stableAndRunning,
            String state,
            int parallelism,
            Instant lastRescale,
            double flinkCapacity) {
        this(stableAndRunning, state, parallelism, lastRescale, flinkCapacity, Double.NaN);
    }
}
