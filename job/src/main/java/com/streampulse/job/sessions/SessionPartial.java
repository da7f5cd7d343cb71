package com.streampulse.job.sessions;

/**
 * Some of one user's downloads in one window (the pre-aggregator sends one per download: {@link
 * SessionPartials}), as {@link SessionBuilder} receives them. Always part of a single session,
 * because its events lie within one window and the gap is at least a window ({@code SESSION_GAP} is
 * validated against {@code WINDOW_SIZE}).
 */
public class SessionPartial extends Session {

    public String userId;

    public SessionPartial() {}

    public SessionPartial(String userId) {
        this.userId = userId;
    }
}
