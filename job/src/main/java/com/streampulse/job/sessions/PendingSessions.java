package com.streampulse.job.sessions;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Partials that {@link SessionBuilder} has read but not yet joined into its RocksDB state: per
 * bucket and user, the user's partials joined in memory into sessions (usually one). At the {@code
 * catalog} shape nearly every download arrives as a partial of its own, and joining each into the
 * state read and rewrote the user's whole session, sets included; joined here first, a user's state
 * is read and written once per flush instead. Nothing here crosses a checkpoint (the builder
 * flushes before every barrier), so it needs no state of its own.
 */
final class PendingSessions {

    /** Strings shared at most, about 15 MB of them: more than the catalog shape's 100,050. */
    private static final int MAX_NAMES = 200_000;

    private final long gapMillis;
    private final long closeAfterMillis;

    /** Bucket → user → the user's pending sessions, sorted by start. */
    private Map<Integer, Map<String, Session[]>> buckets = new HashMap<>();

    private int users;

    /**
     * One instance of each content id, region and device seen: every partial arrives with strings
     * of its own, and a user's pending session holding its own copy of each (~56 bytes apiece)
     * would take a few kilobytes per user at the catalog shape.
     */
    private final Map<String, String> names = new HashMap<>();

    /**
     * No pending session ends before this: lowered as partials arrive, raised only by a scan
     * ({@link #drainClosingBy}), since joining only moves a session's end later.
     */
    private long earliestEnd = Long.MAX_VALUE;

    /**
     * @param closeAfterMillis how long after its end a session closes (gap + lateness + window)
     */
    PendingSessions(long gapMillis, long closeAfterMillis) {
        this.gapMillis = gapMillis;
        this.closeAfterMillis = closeAfterMillis;
    }

    /**
     * Joins {@code partial} into its user's pending sessions.
     *
     * @return how many users have pending sessions now
     */
    int add(int bucket, SessionPartial partial) {
        Map<String, Session[]> pending = buckets.computeIfAbsent(bucket, b -> new HashMap<>());
        Session[] before = pending.get(partial.userId);
        shareNames(partial.contents);
        shareNames(partial.regions);
        shareNames(partial.devices);
        if (before == null) {
            pending.put(partial.userId, new Session[] {Session.copyOf(partial)});
            users++;
        } else if (before.length == 1 && before[0].reaches(partial, gapMillis)) {
            // The common case, a user's one pending session growing: in place, as it is ours.
            before[0].merge(partial);
        } else {
            pending.put(partial.userId, Session.join(before, partial, gapMillis));
        }
        earliestEnd = Math.min(earliestEnd, partial.end);
        return users;
    }

    /**
     * Replaces each of {@code strings} (in place: a partial's arrays are its own) by the one kept.
     */
    private void shareNames(String[] strings) {
        if (names.size() >= MAX_NAMES) {
            names.clear(); // bounds the memory when ids keep changing (the wide shape)
        }
        for (int i = 0; i < strings.length; i++) {
            String kept = names.putIfAbsent(strings[i], strings[i]);
            if (kept != null) {
                strings[i] = kept;
            }
        }
    }

    /** Removes and returns {@code user}'s pending sessions, or null if there are none. */
    Session[] take(int bucket, String user) {
        Map<String, Session[]> pending = buckets.get(bucket);
        Session[] sessions = pending == null ? null : pending.remove(user);
        if (sessions != null) {
            users--;
        }
        return sessions;
    }

    /**
     * True when a pending session may close by {@code time}: then it must reach the state, and its
     * user a due list, before event time passes {@code time}.
     */
    boolean mayCloseBy(long time) {
        return earliestEnd != Long.MAX_VALUE && earliestEnd + closeAfterMillis <= time;
    }

    /** Removes and returns every user's pending sessions, per bucket. */
    Map<Integer, Map<String, Session[]>> drainAll() {
        Map<Integer, Map<String, Session[]>> all = buckets;
        buckets = new HashMap<>();
        names.clear();
        users = 0;
        earliestEnd = Long.MAX_VALUE;
        return all;
    }

    /**
     * Removes and returns, per bucket, the pending sessions of every user with one that may close
     * by {@code time}. A scan of everything pending, which {@link #mayCloseBy} keeps rare: the
     * builder flushes at every checkpoint, long before a session a gap old can close.
     */
    Map<Integer, Map<String, Session[]>> drainClosingBy(long time) {
        Map<Integer, Map<String, Session[]>> closing = new HashMap<>();
        long remainingEnd = Long.MAX_VALUE;
        Iterator<Map.Entry<Integer, Map<String, Session[]>>> bucketIt =
                buckets.entrySet().iterator();
        while (bucketIt.hasNext()) {
            Map.Entry<Integer, Map<String, Session[]>> bucket = bucketIt.next();
            Iterator<Map.Entry<String, Session[]>> userIt = bucket.getValue().entrySet().iterator();
            while (userIt.hasNext()) {
                Map.Entry<String, Session[]> user = userIt.next();
                long end = earliestEnd(user.getValue());
                if (end + closeAfterMillis <= time) {
                    closing.computeIfAbsent(bucket.getKey(), b -> new HashMap<>())
                            .put(user.getKey(), user.getValue());
                    userIt.remove();
                    users--;
                } else {
                    remainingEnd = Math.min(remainingEnd, end);
                }
            }
            if (bucket.getValue().isEmpty()) {
                bucketIt.remove();
            }
        }
        earliestEnd = remainingEnd;
        return closing;
    }

    int users() {
        return users;
    }

    private static long earliestEnd(Session[] sessions) {
        long end = Long.MAX_VALUE;
        for (Session s : sessions) {
            end = Math.min(end, s.end);
        }
        return end;
    }
}
