package com.streampulse.autoscaler.decide;

import java.time.Instant;

/**
 * What the decision carries from one round to the next for a deployment. Immutable: {@link
 * Decider#decide} returns the next one inside its {@link Decision}.
 *
 * @param capacity learned records per second one parallel instance processes when saturated; NaN
 *     while unknown
 * @param lastChange when this controller last changed the parallelism; null if never
 * @param upSince since when every round has recommended more than the current parallelism
 * @param downSince since when every round has recommended less, with lag near zero
 * @param downHighest the highest of those lower recommendations (the one scale-down goes to)
 */
public record Memory(
        double capacity, Instant lastChange, Instant upSince, Instant downSince, int downHighest) {

    public static final Memory EMPTY = new Memory(Double.NaN, null, null, null, 0);

    public boolean knowsCapacity() {
        return !Double.isNaN(capacity);
    }

    Memory withCapacity(double value) {
        return new Memory(value, lastChange, upSince, downSince, downHighest);
    }

    Memory clearPending() {
        return new Memory(capacity, lastChange, null, null, 0);
    }

    Memory pendingUp(Instant since) {
        return new Memory(capacity, lastChange, since, null, 0);
    }

    Memory pendingDown(Instant since, int highest) {
        return new Memory(capacity, lastChange, null, since, highest);
    }

    Memory changedAt(Instant time) {
        return new Memory(capacity, time, null, null, 0);
    }
}
