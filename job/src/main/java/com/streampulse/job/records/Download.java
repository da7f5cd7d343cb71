package com.streampulse.job.records;

/**
 * One valid download event, projected to what the aggregations need. Built once at the source so
 * nothing downstream touches the full Avro event. Speed is kept in micro-Mbps as a whole number so
 * that sums are exact and independent of the order partial aggregates are merged in.
 *
 * @param logTimestamp the Kafka record's timestamp (the producer's send time, or the broker's
 *     append time on a LogAppendTime topic): the log's own clock, which bounds how far one event
 *     can move event time
 * @param payload the raw Kafka value, kept so a LATE rejection can store it; the source and the
 *     operators that read this are chained, so it is never copied
 * @param late set by the event-time operator when the event's window had already closed on the
 *     event's own partition (a late update within the allowed lateness)
 * @param userId who downloaded (for sessions)
 */
public record Download(
        long timestamp,
        String contentId,
        String title,
        String region,
        String device,
        String osVersion,
        Status status,
        int durationSeconds,
        long speedMicros,
        int sizeMb,
        int partition,
        long offset,
        long logTimestamp,
        byte[] payload,
        boolean late,
        String userId) {

    /** Without a user id: for tests and callers that do not build sessions. */
    public Download(
            long timestamp,
            String contentId,
            String title,
            String region,
            String device,
            String osVersion,
            Status status,
            int durationSeconds,
            long speedMicros,
            int sizeMb,
            int partition,
            long offset,
            long logTimestamp,
            byte[] payload,
            boolean late) {
        this(
                timestamp,
                contentId,
                title,
                region,
                device,
                osVersion,
                status,
                durationSeconds,
                speedMicros,
                sizeMb,
                partition,
                offset,
                logTimestamp,
                payload,
                late,
                null);
    }

    /** This download as a late update of its window. */
    public Download asLate() {
        return new Download(
                timestamp,
                contentId,
                title,
                region,
                device,
                osVersion,
                status,
                durationSeconds,
                speedMicros,
                sizeMb,
                partition,
                offset,
                logTimestamp,
                payload,
                true,
                userId);
    }

    /** The outcome of a download; {@code cancelled} counts in the totals only. */
    public enum Status {
        SUCCESS,
        FAILED,
        CANCELLED
    }
}
