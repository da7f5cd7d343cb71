package com.streampulse.job.sessions;

import com.streampulse.job.records.Download;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The pre-aggregator's per-user buffer: one {@link SessionPartial} per (user, window), so users who
 * download several times a window cross the network once per window instead of once per download.
 * Holds no state across a checkpoint: the pre-aggregator flushes it with its other partials.
 */
public final class SessionPartials {

    private final long windowMillis;

    /** Window start → user → partial. Sorted so closing windows is a head scan. */
    private final TreeMap<Long, Map<String, SessionPartial>> windows = new TreeMap<>();

    private int size;

    public SessionPartials(long windowMillis) {
        this.windowMillis = windowMillis;
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
     * Hands every partial of the windows whose last millisecond is at or before {@code time} to
     * {@code emit}, with that last millisecond as its timestamp.
     */
    public void flushUpTo(long time, BiConsumer<SessionPartial, Long> emit) {
        while (!windows.isEmpty() && windows.firstKey() + windowMillis - 1 <= time) {
            Map.Entry<Long, Map<String, SessionPartial>> window = windows.pollFirstEntry();
            long timestamp = window.getKey() + windowMillis - 1;
            for (SessionPartial partial : window.getValue().values()) {
                emit.accept(partial, timestamp);
            }
            size -= window.getValue().size();
        }
    }
}
