package com.streampulse.autoscaler.decide;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the decision carries from one round to the next for a deployment. Immutable: {@link
 * Decider#decide} returns the next one inside its {@link Decision}.
 *
 * @param capacity learned records per second one parallel instance processes when saturated; NaN
 *     while unknown
 * @param lastChange when this controller last changed the parallelism; null if never
 * @param upSince since when every round has recommended more than the current parallelism
 * @param downSince since when every round has recommended less, with lag near zero
 * @param downRecommendations those lower recommendations, newest last; scale-down goes to the
 *     highest of the last stabilisation window, as the HPA does
 * @param runningAgain when the job was last seen RUNNING again after not running (a rescale or a
 *     failure); the cooldown counts from here, so it covers the job's time back, not the restart
 * @param restart the measured downtime of this deployment's rescales (smoothed); null until one was
 *     measured, the policy's expected restart standing in
 */
public record Memory(
        double capacity,
        Instant lastChange,
        Instant upSince,
        Instant downSince,
        List<Recommendation> downRecommendations,
        Instant runningAgain,
        Duration restart,
        UpCheck upCheck) {

    /**
     * A scale-up from {@code from} to {@code to}, taken at a saturated throughput of {@code
     * before}; {@code ineffective} once a saturated window at {@code to} showed it did not help.
     */
    public record UpCheck(int from, int to, double before, boolean judged, boolean ineffective) {}

    /** One round's recommendation. */
    public record Recommendation(Instant time, int parallelism) {}

    public static final Memory EMPTY = new Memory(Double.NaN, null, null, null, List.of());

    public Memory {
        downRecommendations = List.copyOf(downRecommendations);
    }

    public Memory(
            double capacity,
            Instant lastChange,
            Instant upSince,
            Instant downSince,
            List<Recommendation> downRecommendations) {
        this(capacity, lastChange, upSince, downSince, downRecommendations, null, null, null);
    }

    /** A fresh memory seeded with what an earlier controller wrote on the resource. */
    public static Memory from(Learned learned) {
        return new Memory(
                learned.capacity(), null, null, null, List.of(), null, learned.restart(), null);
    }

    public Learned learned() {
        return new Learned(capacity, restart);
    }

    /**
     * The job runs again after not running; {@code downtime} is how long a rescale of ours took
     * (null when the stop was not ours), smoothed into {@link #restart}.
     */
    public Memory ranAgain(Instant at, Duration downtime) {
        Duration smoothed = restart;
        if (downtime != null) {
            smoothed = restart == null ? downtime : restart.plus(downtime).dividedBy(2);
        }
        return new Memory(
                capacity,
                lastChange,
                upSince,
                downSince,
                downRecommendations,
                at,
                smoothed,
                upCheck);
    }

    public boolean knowsCapacity() {
        return !Double.isNaN(capacity);
    }

    Memory withCapacity(double value) {
        return new Memory(
                value,
                lastChange,
                upSince,
                downSince,
                downRecommendations,
                runningAgain,
                restart,
                upCheck);
    }

    Memory clearPending() {
        return new Memory(
                capacity, lastChange, null, null, List.of(), runningAgain, restart, upCheck);
    }

    Memory pendingUp(Instant since) {
        return new Memory(
                capacity, lastChange, since, null, List.of(), runningAgain, restart, upCheck);
    }

    /** Adds a lower recommendation, keeping only those younger than {@code keep}. */
    Memory pendingDown(Instant since, Recommendation latest, Instant keepFrom) {
        List<Recommendation> kept = new ArrayList<>();
        for (Recommendation r : downRecommendations) {
            if (!r.time().isBefore(keepFrom)) {
                kept.add(r);
            }
        }
        kept.add(latest);
        return new Memory(capacity, lastChange, null, since, kept, runningAgain, restart, upCheck);
    }

    /** The highest lower recommendation kept. */
    int highestDown() {
        return downRecommendations.stream().mapToInt(Recommendation::parallelism).max().orElse(0);
    }

    Memory changedAt(Instant time) {
        return new Memory(capacity, time, null, null, List.of(), runningAgain, restart, upCheck);
    }

    Memory withUpCheck(UpCheck check) {
        return new Memory(
                capacity,
                lastChange,
                upSince,
                downSince,
                downRecommendations,
                runningAgain,
                restart,
                check);
    }
}
