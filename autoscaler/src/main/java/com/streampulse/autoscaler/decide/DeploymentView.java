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
 */
public record DeploymentView(
        boolean stableAndRunning, String state, int parallelism, Instant lastRescale) {}
