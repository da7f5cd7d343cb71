package com.streampulse.job.sessions;

import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;

/**
 * Partials that {@link SessionBuilder} has read but not yet joined into its RocksDB state: per
 * bucket and user, the user's partials joined in memory into sessions (usually one). At the {@code
 * catalog} shape nearly every download arrives as a partial of its own, and joining each into the
 * state read and rewrote the user's whole session, sets included; joined here first, a user's state
 * is read and written once per flush instead. Nothing here crosses a checkpoint (the builder
 * flushes before every barrier), so it needs no state of its own.
 */
final class PendingSessions {

    /** Names kept at most, about 20 MB of them: the catalog shape has 250. */
    private static final int MAX_NAMES = 200_000;

    private final long gapMillis;
    private final long closeAfterMillis;

    /** Bucket → user → the user's pending sessions, sorted by start. */
    private Map<Integer, Map<String, Session[]>> buckets = new HashMap<>();

    private int users;

    /**
     * One instance of each region and device seen: a user's pending session holding a copy of its
     * own of each (~56 bytes apiece) would take a few hundred bytes per user.
     */
    private final Names names = new Names();

    /** The span and sums of the partial being read; its sets go straight to where they belong. */
    private final Session part = new Session();

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
     * Joins each partial of {@code batch} into its user's pending sessions, read from the batch's
     * bytes: a user's one pending session that the partial reaches (the common case) takes its sums
     * and sets in place, so a partial costs no objects but its user id.
     *
     * @return how many users have pending sessions now
     */
    int add(SessionBatch batch) throws IOException {
        if (names.size() >= MAX_NAMES) {
            names.clear(); // bounds the memory when ids keep changing (the wide shape)
        }
        Map<String, Session[]> pending =
                buckets.computeIfAbsent(batch.bucket, b -> new HashMap<>());
        DataInputDeserializer in = new DataInputDeserializer(batch.encoded);
        for (int i = 0; i < batch.size; i++) {
            String user = SessionsSerializer.readString(in);
            SessionsSerializer.readSums(part, in);
            Session[] before = pending.get(user);
            boolean inPlace =
                    before != null && before.length == 1 && before[0].reaches(part, gapMillis);
            Session into = inPlace ? before[0].addSums(part) : Session.copyOf(part);
            for (long n = SessionsSerializer.readVarLong(in); n > 0; n--) {
                into.contents = Session.with(into.contents, in.readLong());
            }
            into.regions = readNamesInto(into.regions, in);
            into.devices = readNamesInto(into.devices, in);
            if (before == null) {
                pending.put(user, new Session[] {into});
                users++;
            } else if (!inPlace) {
                pending.put(user, Session.join(before, into, gapMillis));
            }
            earliestEnd = Math.min(earliestEnd, part.end);
        }
        return users;
    }

    /** {@code sorted} with the names read from {@code in} added, as {@link Session#union}. */
    private String[] readNamesInto(String[] sorted, DataInputView in) throws IOException {
        String[] out = sorted;
        for (long n = SessionsSerializer.readVarLong(in); n > 0; n--) {
            out = Session.with(out, names.read(in));
        }
        return out;
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

    private static long earliestEnd(Session[] sessions) {
        long end = Long.MAX_VALUE;
        for (Session s : sessions) {
            end = Math.min(end, s.end);
        }
        return end;
    }
}
