package com.streampulse.autoscaler.decide;

import java.time.Instant;
import java.util.Locale;

/**
 * The outcome of one round for one deployment.
 *
 * @param kind what to do
 * @param from the parallelism now
 * @param to the parallelism wanted (equal to from unless scaling)
 * @param desired the recommendation before stabilisation and cooldown; 0 when none was computed
 * @param reason why, in a short sentence
 * @param time when decided
 * @param memory what to remember for the next round
 */
public record Decision(
        Kind kind, int from, int to, int desired, String reason, Instant time, Memory memory) {

    public enum Kind {
        /** Raise the parallelism. */
        SCALE_UP,
        /** Lower the parallelism. */
        SCALE_DOWN,
        /** Data is good and nothing should change now (includes waiting out stabilisation). */
        HOLD,
        /** Not safe to decide: deployment not running, offsets missing or stale. */
        SKIP;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public boolean changesParallelism() {
        return kind == Kind.SCALE_UP || kind == Kind.SCALE_DOWN;
    }

    /**
     * The annotation text: kind, from->to, reason, time; and when the parallelism was last changed,
     * so a new leader honours the cooldown.
     */
    public String summary() {
        String text = kind.label() + " " + from + "->" + to + ": " + reason + " at " + time;
        if (!changesParallelism() && memory.lastChange() != null) {
            text += "; last rescale " + memory.lastChange();
        }
        return text;
    }
}
