package com.streampulse.job.sessions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * One user's session, or part of one: its first and last event time and running sums, with the
 * distinct contents, regions and devices as sorted arrays (small, and merged in any order to the
 * same result, so the distinct content of merged parts is still exact). Mutable; the arrays are
 * never changed in place, only replaced, so two sessions may share one.
 *
 * <p>Contents are kept as 64-bit fingerprints of their ids ({@link #fingerprint}), as only their
 * number is written: a user's set grows with nearly every download at the {@code catalog} shape,
 * and as strings, inserting into it and writing it to RocksDB took about two fifths of the Sessions
 * task in a profile. Two ids of a session would have to share a fingerprint to count once (for a
 * session of a thousand titles, a chance of about one in 37 trillion).
 */
public class Session {

    private static final String[] EMPTY = new String[0];
    static final long[] NO_CONTENTS = new long[0];

    public long start;
    public long end;
    public long downloads;
    public long failed;
    public long successfulSizeMb;
    public long[] contents = NO_CONTENTS;
    public String[] regions = EMPTY;
    public String[] devices = EMPTY;

    public Session() {}

    /** A copy whose fields can change without touching {@code s} (the arrays are shared). */
    public static Session copyOf(Session s) {
        Session c = new Session();
        c.start = s.start;
        c.end = s.end;
        c.downloads = s.downloads;
        c.failed = s.failed;
        c.successfulSizeMb = s.successfulSizeMb;
        c.contents = s.contents;
        c.regions = s.regions;
        c.devices = s.devices;
        return c;
    }

    /**
     * A copy without the distinct sets: what the state keeps per open session, the sets being kept
     * apart ({@link SessionBuilder}).
     */
    Session withoutSets() {
        Session c = copyOf(this);
        c.contents = NO_CONTENTS;
        c.regions = EMPTY;
        c.devices = EMPTY;
        return c;
    }

    /**
     * A copy of this session with the sets of every fragment that starts within it joined to its
     * own. A fragment is part of exactly one of its user's sessions (its events are each closer
     * than the gap to the next), and a user's sessions are disjoint, so its start says which.
     */
    Session withSetsOf(Iterable<Session[]> fragments) {
        Session c = copyOf(this);
        for (Session[] flushed : fragments) {
            for (Session f : flushed) {
                if (f.start >= start && f.start <= end) {
                    c.contents = union(c.contents, f.contents);
                    c.regions = union(c.regions, f.regions);
                    c.devices = union(c.devices, f.devices);
                }
            }
        }
        return c;
    }

    /**
     * True when {@code part}, whose events all lie within one gap of each other, belongs to this
     * session: one of its events is closer than the gap to one of the session's.
     */
    public boolean reaches(Session part, long gapMillis) {
        return part.end > start - gapMillis && part.start < end + gapMillis;
    }

    /**
     * {@code open} (sorted by start; null for none) with {@code part} joined in: merged with every
     * session it reaches, so a late part can bridge two. Exact for any part whose events are each
     * closer than the gap to the next (a partial, or partials of one user already joined), as every
     * session is: then reaching by the intervals means reaching by an event.
     */
    static Session[] join(Session[] open, Session part, long gapMillis) {
        Session joined = copyOf(part);
        List<Session> kept = new ArrayList<>(open == null ? 1 : open.length + 1);
        if (open != null) {
            for (Session s : open) {
                if (s.reaches(part, gapMillis)) {
                    joined.merge(s);
                } else {
                    kept.add(s);
                }
            }
        }
        kept.add(joined);
        kept.sort(Comparator.comparingLong(s -> s.start));
        return kept.toArray(new Session[0]);
    }

    public Session merge(Session o) {
        addSums(o);
        contents = union(contents, o.contents);
        regions = union(regions, o.regions);
        devices = union(devices, o.devices);
        return this;
    }

    /** Joins {@code o}'s span and sums to this session's, not its sets. */
    Session addSums(Session o) {
        start = Math.min(start, o.start);
        end = Math.max(end, o.end);
        downloads += o.downloads;
        failed += o.failed;
        successfulSizeMb += o.successfulSizeMb;
        return this;
    }

    static String[] union(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length || j < b.length) {
            int c = i == a.length ? 1 : j == b.length ? -1 : a[i].compareTo(b[j]);
            String next = c <= 0 ? a[i++] : b[j++];
            if (c == 0) {
                j++;
            }
            out[n++] = next;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** {@code sorted} with {@code s} in its place, or {@code sorted} itself if already there. */
    static String[] with(String[] sorted, String s) {
        int at = Arrays.binarySearch(sorted, s);
        if (at >= 0) {
            return sorted;
        }
        int insert = -at - 1;
        String[] out = new String[sorted.length + 1];
        System.arraycopy(sorted, 0, out, 0, insert);
        out[insert] = s;
        System.arraycopy(sorted, insert, out, insert + 1, sorted.length - insert);
        return out;
    }

    static long[] union(long[] a, long[] b) {
        long[] out = new long[a.length + b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length || j < b.length) {
            int c = i == a.length ? 1 : j == b.length ? -1 : Long.compare(a[i], b[j]);
            long next = c <= 0 ? a[i++] : b[j++];
            if (c == 0) {
                j++;
            }
            out[n++] = next;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** {@code sorted} with {@code f} in its place, or {@code sorted} itself if already there. */
    static long[] with(long[] sorted, long f) {
        int at = Arrays.binarySearch(sorted, f);
        if (at >= 0) {
            return sorted;
        }
        int insert = -at - 1;
        long[] out = new long[sorted.length + 1];
        System.arraycopy(sorted, 0, out, 0, insert);
        out[insert] = f;
        System.arraycopy(sorted, insert, out, insert + 1, sorted.length - insert);
        return out;
    }

    /**
     * A content id's fingerprint: FNV-1a over its characters, then MurmurHash3's finalizer, so
     * every bit depends on every character.
     */
    public static long fingerprint(String contentId) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < contentId.length(); i++) {
            h = (h ^ contentId.charAt(i)) * 0x100000001b3L;
        }
        h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
        h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
