package com.streampulse.job.sessions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Download sessions per user, from per-window {@link SessionPartial}s: downloads closer than the
 * gap belong to the same session. Keyed by a bucket of users ({@link SessionBatch#bucket}), so what
 * costs per record (the network record, the key switch, the timer) is paid per bucket and flush,
 * not per user: a batch holds the bucket's partials of one flush, and each user's open sessions
 * (usually one) are one entry of a map under the bucket, in a compact layout ({@link
 * SessionsSerializer}), so a partial costs one read and one write of its user's entry.
 *
 * <p>A partial joins every open session it reaches within the gap, so a late partial can bridge two
 * sessions. This is exact because every event of a partial lies in one window and the gap is at
 * least a window: the partial is always part of one session.
 *
 * <p>A session is written once, when no accepted event can reach it any more: an event is only
 * accepted while its window plus the allowed lateness is open, so after event time passes the
 * session's end + gap + lateness + one window nothing can extend it. Until then a late partial that
 * falls between two open sessions merges them, so the row written is the merged one, in any run.
 *
 * <p>Closing: a due list per bucket (close time rounded up to the window → users to look at then)
 * and ONE timer per bucket, at the earliest due time. A user is listed only when a partial brings
 * their next close earlier (their first partial, or a late one that opens an earlier session); a
 * partial that only extends a session leaves the listing alone, and when it comes due the user is
 * listed again at their new close. So a user downloading every minute costs one listing per gap,
 * not one per minute.
 */
public final class SessionBuilder extends KeyedProcessFunction<Integer, SessionBatch, UserSession> {

    private static final long serialVersionUID = 1L;

    private final long gapMillis;
    private final long closeAfterMillis;
    private final long windowMillis;

    /** User → open sessions, under the bucket. */
    private transient MapState<String, Session[]> open;

    /**
     * Close time (rounded up to the window) → users whose sessions may close then, as encoded
     * strings one after another: listing users appends bytes, only a firing decodes them.
     */
    private transient MapState<Long, byte[]> due;

    /** The bucket's one pending timer: the earliest key of {@link #due}. */
    private transient ValueState<Long> timer;

    public SessionBuilder(long gapMillis, long latenessMillis, long windowMillis) {
        this.gapMillis = gapMillis;
        this.closeAfterMillis = gapMillis + latenessMillis + windowMillis;
        this.windowMillis = windowMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        open =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "open-sessions",
                                        StringSerializer.INSTANCE,
                                        SessionsSerializer.INSTANCE));
        due =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "due-users",
                                        LongSerializer.INSTANCE,
                                        BytePrimitiveArraySerializer.INSTANCE));
        timer = getRuntimeContext().getState(new ValueStateDescriptor<>("timer", Types.LONG));
    }

    @Override
    public void processElement(SessionBatch batch, Context ctx, Collector<UserSession> out)
            throws Exception {
        Map<Long, List<String>> listings = new HashMap<>();
        for (SessionPartial partial : batch.partials) {
            Session[] sessions = open.get(partial.userId);
            Session joined = Session.copyOf(partial);
            List<Session> kept = new ArrayList<>(sessions == null ? 1 : sessions.length + 1);
            if (sessions != null) {
                for (Session s : sessions) {
                    if (s.reaches(partial, gapMillis)) {
                        joined.merge(s);
                    } else {
                        kept.add(s);
                    }
                }
            }
            kept.add(joined);
            kept.sort((a, b) -> Long.compare(a.start, b.start));
            open.put(partial.userId, kept.toArray(new Session[0]));
            long close = nextClose(kept);
            if (sessions == null || close < nextClose(List.of(sessions))) {
                // Otherwise the user is listed at or before the previous close and moves then.
                listings.computeIfAbsent(close, c -> new ArrayList<>()).add(partial.userId);
            }
        }
        list(listings, Long.MAX_VALUE, ctx);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<UserSession> out)
            throws Exception {
        timer.clear();
        // Sorted, so a run writes its rows in the same order whatever the state backend.
        TreeSet<String> users = new TreeSet<>();
        List<Long> dueKeys = new ArrayList<>();
        long later = Long.MAX_VALUE;
        for (Map.Entry<Long, byte[]> e : due.entries()) {
            if (e.getKey() <= time) {
                dueKeys.add(e.getKey());
                DataInputDeserializer in = new DataInputDeserializer(e.getValue());
                while (in.available() > 0) {
                    users.add(SessionsSerializer.readString(in));
                }
            } else {
                later = Math.min(later, e.getKey());
            }
        }
        for (Long key : dueKeys) {
            due.remove(key);
        }
        Map<Long, List<String>> listings = new HashMap<>();
        for (String user : users) {
            Session[] sessions = open.get(user);
            if (sessions == null) {
                continue; // closed at an earlier listing of the same user
            }
            List<Session> kept = new ArrayList<>();
            for (Session s : sessions) {
                if (s.end + closeAfterMillis <= time) {
                    out.collect(UserSession.of(user, s));
                } else {
                    kept.add(s);
                }
            }
            if (kept.isEmpty()) {
                open.remove(user);
                continue;
            }
            if (kept.size() < sessions.length) {
                open.put(user, kept.toArray(new Session[0]));
            }
            listings.computeIfAbsent(nextClose(kept), c -> new ArrayList<>()).add(user);
        }
        list(listings, later, ctx);
    }

    /**
     * Adds {@code listings} to the due lists and moves the bucket's timer to the earliest due time
     * if that is earlier than the pending one; {@code known} is an earlier due time already in the
     * lists but maybe without a timer (after a firing), or {@code Long.MAX_VALUE}.
     */
    private void list(Map<Long, List<String>> listings, long known, Context ctx) throws Exception {
        long earliest = known;
        for (Map.Entry<Long, List<String>> e : listings.entrySet()) {
            // A user listed twice at one time is looked at once (the firing collects a set).
            byte[] listed = due.get(e.getKey());
            DataOutputSerializer users = new DataOutputSerializer(64 * e.getValue().size());
            if (listed != null) {
                users.write(listed);
            }
            for (String user : e.getValue()) {
                SessionsSerializer.writeString(user, users);
            }
            due.put(e.getKey(), users.getCopyOfBuffer());
            earliest = Math.min(earliest, e.getKey());
        }
        if (earliest == Long.MAX_VALUE) {
            return;
        }
        Long pending = timer.value();
        if (pending == null || earliest < pending) {
            if (pending != null) {
                ctx.timerService().deleteEventTimeTimer(pending);
            }
            ctx.timerService().registerEventTimeTimer(earliest);
            timer.update(earliest);
        }
    }

    /**
     * The earliest close, rounded up to the window, so users closing within one window share one
     * due time.
     */
    private long nextClose(List<Session> open) {
        long close = Long.MAX_VALUE;
        for (Session s : open) {
            close = Math.min(close, s.end + closeAfterMillis);
        }
        return close + Math.floorMod(-close, windowMillis);
    }
}
