package com.streampulse.autoscaler.sim;

import com.streampulse.autoscaler.collect.RateWindow;
import com.streampulse.autoscaler.decide.Decider;
import com.streampulse.autoscaler.decide.Decision;
import com.streampulse.autoscaler.decide.DeploymentView;
import com.streampulse.autoscaler.decide.Memory;
import com.streampulse.autoscaler.decide.Policy;
import java.time.Duration;
import java.time.Instant;

/**
 * The controller's own Collect and Decide classes, fed by the model instead of Kafka: the same rate
 * window, the same decision function, the same window reset on restart.
 */
final class OurPolicy implements Scaler {

    static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    /** -Dsim.debug=true prints every non-hold decision to stderr. */
    private static final boolean DEBUG = Boolean.getBoolean("sim.debug");

    private final Policy policy;
    private final int intervalSeconds;
    private final RateWindow window;
    private final Decider decider;
    private Memory memory = Memory.EMPTY;
    private int seenParallelism = -1;
    private Instant stoppedAt;

    OurPolicy(Policy policy, Duration interval, Duration rateWindow) {
        this.policy = policy;
        this.intervalSeconds = (int) interval.toSeconds();
        this.window = new RateWindow(rateWindow);
        this.decider =
                new Decider(
                        interval.multipliedBy(3),
                        rateWindow.dividedBy(2),
                        rateWindow.multipliedBy(2));
    }

    @Override
    public String name() {
        return "ours";
    }

    @Override
    public int tick(int t, JobModel job) {
        if (t % intervalSeconds != 0) {
            return job.parallelism();
        }
        Instant now = EPOCH.plusSeconds(t);
        boolean running = job.running();
        // As the controller does: time the restarts our rescales cause.
        if (!running && stoppedAt == null) {
            stoppedAt = memory.lastChange() == null ? now : memory.lastChange();
        } else if (running && stoppedAt != null) {
            memory = memory.ranAgain(now, Duration.between(stoppedAt, now));
            stoppedAt = null;
        }
        if (!running || seenParallelism != job.parallelism()) {
            window.reset();
            seenParallelism = job.parallelism();
        }
        if (running) {
            window.add(job.sample(now));
        }
        DeploymentView view =
                new DeploymentView(
                        running,
                        running ? "lifecycle STABLE, job RUNNING" : "lifecycle UPGRADING",
                        job.parallelism(),
                        null);
        Decision decision = decider.decide(window.observe(), view, policy, memory, now);
        memory = decision.memory();
        if (DEBUG && decision.kind() != Decision.Kind.HOLD) {
            System.err.println(t + "s " + decision.summary());
        }
        return decision.to();
    }
}
