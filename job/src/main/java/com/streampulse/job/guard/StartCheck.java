package com.streampulse.job.guard;

import com.streampulse.job.config.JobConfig;
import com.streampulse.job.records.Download;
import java.time.Instant;
import java.util.Optional;

/** What the {@link StatelessStartGuard} decides, as pure functions of what it knows. */
public final class StartCheck {

    /** How this attempt of the job began, as far as overwriting results is concerned. */
    public enum Start {
        /** Restored from a checkpoint or savepoint: the state and the tables agree. */
        RESTORED,
        /**
         * Not restored, but a restart (attempt > 0) of a start without state that failed before its
         * first checkpoint: it reads the same offsets its first attempt checked, and the rows
         * written since are its own, so it rewrites them with the same values.
         */
        RETRY,
        /** Not restored, and the operator accepted overwrites ({@code ALLOW_STATELESS_START}). */
        ALLOWED,
        /** Not restored: each partition's first event is checked against the tables. */
        CHECK;

        public static Start of(boolean restored, int attemptNumber, boolean allowStatelessStart) {
            if (restored) {
                return RESTORED;
            }
            if (attemptNumber > 0) {
                return RETRY;
            }
            return allowStatelessStart ? ALLOWED : CHECK;
        }
    }

    private StartCheck() {}

    /** The start of the window {@code timestamp} falls in (windows are aligned to the epoch). */
    public static long windowStart(long timestamp, long windowMillis) {
        return timestamp - Math.floorMod(timestamp, windowMillis);
    }

    /**
     * Why the job must not go on from {@code first}, the first valid event it read from a
     * partition, or empty when the tables hold no window at or after that event's window (nothing
     * this start writes can replace a row computed from more events).
     */
    public static Optional<String> refusal(
            Optional<NewestWindow> newest, long windowMillis, String topic, Download first) {
        long firstWindow = windowStart(first.timestamp(), windowMillis);
        if (newest.isEmpty() || newest.get().windowStart() < firstWindow) {
            return Optional.empty();
        }
        NewestWindow n = newest.get();
        return Optional.of(
                "Refusing to start without state: "
                        + n.table()
                        + " already holds the window "
                        + Instant.ofEpochMilli(n.windowStart())
                        + ", at or after the window "
                        + Instant.ofEpochMilli(firstWindow)
                        + " of the first event read from "
                        + topic
                        + " partition "
                        + first.partition()
                        + " (offset "
                        + first.offset()
                        + ", event time "
                        + Instant.ofEpochMilli(first.timestamp())
                        + "), so this start would overwrite complete rows with partial sums."
                        + WHAT_TO_DO);
    }

    /** The second half of every refusal: the two ways forward. */
    static final String WHAT_TO_DO =
            " Restore the job from its last checkpoint or savepoint, or set "
                    + JobConfig.ALLOW_STATELESS_START
                    + "=true (--allow-stateless-start) to accept the overwrite.";
}
