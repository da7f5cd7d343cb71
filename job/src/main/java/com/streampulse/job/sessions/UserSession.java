package com.streampulse.job.sessions;

/**
 * One row of {@code user_sessions}, keyed by (user, session start); written once, when the session
 * can no longer grow.
 */
public record UserSession(
        String userId,
        long sessionStart,
        long sessionEnd,
        long downloads,
        long failed,
        long successfulSizeMb,
        int distinctContent,
        String[] regions,
        String[] devices) {

    public static UserSession of(String userId, Session s) {
        return new UserSession(
                userId,
                s.start,
                s.end,
                s.downloads,
                s.failed,
                s.successfulSizeMb,
                s.contents.length,
                s.regions,
                s.devices);
    }

    /** For comparing rows in tests and logs (arrays have no value equality). */
    public String describe() {
        return userId
                + " "
                + sessionStart
                + ".."
                + sessionEnd
                + " downloads="
                + downloads
                + " failed="
                + failed
                + " sizeMb="
                + successfulSizeMb
                + " contents="
                + distinctContent
                + " regions="
                + String.join(",", regions)
                + " devices="
                + String.join(",", devices);
    }
}
