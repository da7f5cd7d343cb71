package com.streampulse.job.sessions;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Download sessions per user: events closer than the gap belong to the same session. Keyed by user;
 * the open sessions (usually one) are one value, so an event costs one read and one write.
 *
 * <p>A session is written once, when no accepted event can reach it any more: an event is only
 * accepted while its window plus the allowed lateness is open, so after event time passes the
 * session's end + gap + lateness + one window nothing can extend it. Until then a late event that
 * falls between two open sessions merges them, so the row written is the merged one, in any run.
 * One timer per user, at the minute the next session closes.
 */
public final class SessionBuilder extends KeyedProcessFunction<String, SessionEvent, UserSession> {

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
                                        "open-sessions", TypeInformation.of(Session[].class)));
    }

    @Override
    public void processElement(SessionEvent e, Context ctx, Collector<UserSession> out)
            throws Exception {
        Session[] sessions = open.value();
        long timerBefore = sessions == null ? Long.MIN_VALUE : nextClose(List.of(sessions));
        Session joined = Session.of(e);
        List<Session> kept = new ArrayList<>(sessions == null ? 1 : sessions.length + 1);
        if (sessions != null) {
            for (Session s : sessions) {
                if (s.reaches(e.timestamp(), gapMillis)) {
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
        if (timer != timerBefore) {
            // Most events only move a close time within the same minute: no new timer.
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
        } else if (kept.size() < sessions.length) {
            open.update(kept.toArray(new Session[0]));
        }
        schedule(ctx.timerService(), kept);
    }

    private void schedule(TimerService timers, List<Session> open) {
        if (!open.isEmpty()) {
            timers.registerEventTimeTimer(nextClose(open));
        }
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
