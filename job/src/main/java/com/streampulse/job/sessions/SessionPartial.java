package com.streampulse.job.sessions;

import com.streampulse.job.records.Download;

/**
 * One user's downloads in one window, as far as one pre-aggregator has seen them: what crosses the
 * network to {@link SessionBuilder} instead of every event. Always part of a single session,
 * because its events lie within one window and the gap is at least a window ({@code SESSION_GAP} is
 * validated against {@code WINDOW_SIZE}).
 */
public class SessionPartial extends Session {

    public String userId;

    public SessionPartial() {}

    public SessionPartial(String userId) {
        this.userId = userId;
    }

    /** Adds one download of this user in this window. */
    public SessionPartial add(Download d) {
        if (downloads == 0) {
            start = d.timestamp();
            end = d.timestamp();
        } else {
            start = Math.min(start, d.timestamp());
            end = Math.max(end, d.timestamp());
        }
        downloads++;
        if (d.status() == Download.Status.FAILED) {
            failed++;
        } else if (d.status() == Download.Status.SUCCESS) {
            successfulSizeMb += d.sizeMb();
        }
        contents = with(contents, d.contentId());
        regions = with(regions, d.region());
        devices = with(devices, d.device());
        return this;
    }
}
