package com.streampulse.job.sessions;

import com.streampulse.job.records.Download;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * The pre-aggregator's sessions output: each download, as the partial of that one download, encoded
 * into its user's bucket of its window as it arrives, and sent as one {@link SessionBatch} per
 * bucket and window. Holds no state across a checkpoint: the pre-aggregator flushes it with its
 * other partials.
 *
 * <p>Why not one partial per user and window: at the {@code catalog} shape (a million users, each
 * downloading a few times a minute across every partition) a pre-aggregator meets a user about once
 * per window before its cap flushes, so a map of users combined almost nothing (0.95 partials per
 * download in {@code make bench-sessions}) and took about a fifth of the source thread in a
 * profile. Encoded at once, a download costs its bytes; the builder joins a user's partials in
 * memory anyway ({@link PendingSessions}).
 */
public final class SessionPartials {

    private final long windowMillis;
    private final int buckets;

    /**
     * Window start → per bucket, its downloads so far. Sorted so closing windows is a head scan.
     */
    private final TreeMap<Long, Encoded[]> windows = new TreeMap<>();

    private int size;

    /**
     * @param buckets the number of user buckets ({@link SessionBatch#bucket}), fixed for the job
     */
    public SessionPartials(long windowMillis, int buckets) {
        this.windowMillis = windowMillis;
        this.buckets = buckets;
    }

    /**
     * Adds {@code d}, of the window starting at {@code windowStart}.
     *
     * @return how many downloads are buffered now
     */
    public int add(long windowStart, Download d) throws IOException {
        Encoded[] window = windows.computeIfAbsent(windowStart, w -> new Encoded[buckets]);
        int b = SessionBatch.bucket(d.userId(), buckets);
        if (window[b] == null) {
            window[b] = new Encoded();
        }
        SessionBatch.writeDownload(d, window[b].bytes);
        window[b].downloads++;
        return ++size;
    }

    /**
     * Hands the downloads of every window whose last millisecond is at or before {@code time} to
     * {@code emit}, one batch per bucket with downloads, with that last millisecond as its
     * timestamp.
     */
    public void flushUpTo(long time, BiConsumer<SessionBatch, Long> emit) {
        while (!windows.isEmpty() && windows.firstKey() + windowMillis - 1 <= time) {
            Map.Entry<Long, Encoded[]> window = windows.pollFirstEntry();
            long timestamp = window.getKey() + windowMillis - 1;
            Encoded[] byBucket = window.getValue();
            for (int b = 0; b < buckets; b++) {
                Encoded e = byBucket[b];
                if (e != null) {
                    emit.accept(
                            new SessionBatch(b, e.downloads, e.bytes.getCopyOfBuffer()), timestamp);
                    size -= e.downloads;
                }
            }
        }
    }

    /** One bucket's downloads in one window, encoded. */
    private static final class Encoded {
        final DataOutputSerializer bytes = new DataOutputSerializer(256);
        int downloads;
    }
}
