package com.streampulse.job.sessions;

import com.streampulse.job.records.Download;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The pre-aggregator's per-user buffer: one {@link SessionPartial} per (user, window), so users who
 * download several times a window cross the network once per window instead of once per download,
 * sent as one {@link SessionBatch} per bucket of users and window. Holds no state across a
 * checkpoint: the pre-aggregator flushes it with its other partials.
 */
public final class SessionPartials {

    private final long windowMillis;
    private final int buckets;

    /** Window start → user → partial. Sorted so closing windows is a head scan. */
    private final TreeMap<Long, Map<String, SessionPartial>> windows = new TreeMap<>();

    private int size;

    /**
     * @param buckets the number of user buckets ({@link SessionBatch#bucket}), fixed for the job
     */
    public SessionPartials(long windowMillis, int buckets) {
        this.windowMillis = windowMillis;
        this.buckets = buckets;
    }

    /**
     * Adds {@code d} to its user's partial of the window starting at {@code windowStart}.
     *
     * @return how many partials are buffered now
     */
    public int add(long windowStart, Download d) {
        Map<String, SessionPartial> users =
                windows.computeIfAbsent(windowStart, w -> new HashMap<>());
        SessionPartial partial = users.get(d.userId());
        if (partial == null) {
            partial = new SessionPartial(d.userId());
            users.put(d.userId(), partial);
            size++;
        }
        partial.add(d);
        return size;
    }

    /**
     * Hands the partials of every window whose last millisecond is at or before {@code time} to
     * {@code emit}, one batch per bucket with partials, with that last millisecond as its
     * timestamp.
     */
    public void flushUpTo(long time, BiConsumer<SessionBatch, Long> emit) {
        while (!windows.isEmpty() && windows.firstKey() + windowMillis - 1 <= time) {
            Map.Entry<Long, Map<String, SessionPartial>> window = windows.pollFirstEntry();
            long timestamp = window.getKey() + windowMillis - 1;
            List<List<SessionPartial>> byBucket = new ArrayList<>(buckets);
            for (int b = 0; b < buckets; b++) {
                byBucket.add(null);
            }
            for (SessionPartial partial : window.getValue().values()) {
                int b = SessionBatch.bucket(partial.userId, buckets);
                if (byBucket.get(b) == null) {
                    byBucket.set(b, new ArrayList<>());
                }
                byBucket.get(b).add(partial);
            }
            for (int b = 0; b < buckets; b++) {
                List<SessionPartial> partials = byBucket.get(b);
                if (partials != null) {
                    emit.accept(
                            new SessionBatch(b, partials.toArray(new SessionPartial[0])),
                            timestamp);
                }
            }
            size -= window.getValue().size();
        }
    }
}
