package com.streampulse.job.records;

/**
 * One valid download event, projected to what the aggregations need. Built once at the source so
 * nothing downstream touches the full Avro event. Speed is kept in micro-Mbps as a whole number so
 * that sums are exact and independent of the order partial aggregates are merged in.
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
        long offset) {

    /** The outcome of a download; {@code cancelled} counts in the totals only. */
    public enum Status {
        SUCCESS,
        FAILED,
        CANCELLED
    }
}
