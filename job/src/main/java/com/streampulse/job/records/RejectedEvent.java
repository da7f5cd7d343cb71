package com.streampulse.job.records;

/**
 * A consumed record that was not aggregated, and why. One row in {@code rejected_events}, keyed by
 * where the record sits in Kafka, so a replay writes the same row again.
 *
 * @param eventTime epoch millis when known and representable in PostgreSQL, else null
 * @param payload the raw Kafka value, so every rejected record can be inspected and replayed after
 *     the topic's retention has dropped it
 */
public record RejectedEvent(
        String topic,
        int partition,
        long offset,
        Reason reason,
        String detail,
        Long eventTime,
        byte[] payload) {

    /** Why a record was rejected. */
    public enum Reason {
        MALFORMED,
        INVALID,
        LATE
    }
}
