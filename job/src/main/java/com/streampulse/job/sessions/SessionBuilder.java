package com.streampulse.job.sessions;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Download sessions per user, from per-window {@link SessionPartial}s: downloads closer than the
 * gap belong to the same session. Keyed by user; the open sessions (usually one) are one value in a
 * compact layout ({@link SessionsSerializer}), so a partial costs one read and one write.
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
 * <p>Timers: at most one pending per user that matters, at or before the next close rounded up to
 * the window. A partial registers one only when it brings the next close earlier (the user's first
 * partial, or a late one that opens an earlier session); a partial that only extends a session
 * leaves the pending timer alone, and that timer, when it fires early, moves itself to the new
 * close. So a user downloading every minute costs one timer per gap, not one per minute.
 */
public final class SessionBuilder
        extends KeyedProcessFunction<String, SessionPartial, UserSession> {

    private static final long serialVersionUID = 1L;

    private final long gapMillis;
    private final long closeAfterMillis;
    private final long windowMillis;

    private transient ValueState<Session[]> open;

    public SessionBuilder(long gapMillis, long latenessMillis, long windowMillis) {
        this.gapMillis = gapMillis;
        this.closeAfterMillis = gapMillis + latenessMillis + windowMillis;
        this.windowMillis = windowMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        open =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "open-sessions", SessionsSerializer.INSTANCE));
    }

    @Override
    public void processElement(SessionPartial partial, Context ctx, Collector<UserSession> out)
            throws Exception {
        Session[] sessions = open.value();
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
        open.update(kept.toArray(new Session[0]));
        long timer = nextClose(kept);
        if (sessions == null || timer < nextClose(List.of(sessions))) {
            // Otherwise a timer at or before the previous close is pending and will move itself.
            ctx.timerService().registerEventTimeTimer(timer);
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<UserSession> out)
            throws Exception {
        Session[] sessions = open.value();
        if (sessions == null) {
            return;
        }
        List<Session> kept = new ArrayList<>();
        for (Session s : sessions) {
            if (s.end + closeAfterMillis <= time) {
                out.collect(UserSession.of(ctx.getCurrentKey(), s));
            } else {
                kept.add(s);
            }
        }
        if (kept.isEmpty()) {
            open.clear();
            return;
        }
        if (kept.size() < sessions.length) {
            open.update(kept.toArray(new Session[0]));
        }
        ctx.timerService().registerEventTimeTimer(nextClose(kept));
    }

    /**
     * The earliest close, rounded up to the window, so a user downloading every few seconds has one
     * timer, not one per event.
     */
    private long nextClose(List<Session> open) {
        long close = Long.MAX_VALUE;
        for (Session s : open) {
            close = Math.min(close, s.end + closeAfterMillis);
        }
        return close + Math.floorMod(-close, windowMillis);
    }
}
