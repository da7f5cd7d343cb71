package com.streampulse.autoscaler.decide;

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
 */
public record Memory(
        double capacity,
        Instant lastChange,
        Instant upSince,
        Instant downSince,
        List<Recommendation> downRecommendations) {

    /** One round's recommendation. */
    public record Recommendation(Instant time, int parallelism) {}

    public static final Memory EMPTY = new Memory(Double.NaN, null, null, null, List.of());

    public Memory {
        downRecommendations = List.copyOf(downRecommendations);
    }

    public boolean knowsCapacity() {
        return !Double.isNaN(capacity);
    }

    Memory withCapacity(double value) {
        return new Memory(value, lastChange, upSince, downSince, downRecommendations);
    }

    Memory clearPending() {
        return new Memory(capacity, lastChange, null, null, List.of());
    }

    Memory pendingUp(Instant since) {
        return new Memory(capacity, lastChange, since, null, List.of());
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
        return new Memory(capacity, lastChange, null, since, kept);
    }

    /** The highest lower recommendation kept. */
    int highestDown() {
        return downRecommendations.stream().mapToInt(Recommendation::parallelism).max().orElse(0);
    }

    Memory changedAt(Instant time) {
        return new Memory(capacity, time, null, null, List.of());
    }
}
