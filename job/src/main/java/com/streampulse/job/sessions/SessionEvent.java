package com.streampulse.job.sessions;

import com.streampulse.job.records.Download;

/** What a session needs of one download: the event without its payload, before the shuffle. */
public record SessionEvent(
        String userId,
        long timestamp,
        String contentId,
        String region,
        String device,
        boolean successful,
        boolean failed,
        int sizeMb) {

    public static SessionEvent of(Download d) {
        return new SessionEvent(
                d.userId(),
                d.timestamp(),
                d.contentId(),
                d.region(),
                d.device(),
                d.status() == Download.Status.SUCCESS,
                d.status() == Download.Status.FAILED,
                d.sizeMb());
    }
}
