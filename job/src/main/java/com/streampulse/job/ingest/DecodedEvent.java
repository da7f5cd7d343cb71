package com.streampulse.job.ingest;

/**
 * The fields of one decoded event that validation and aggregation use. Fields the job never reads
 * (type, category, city, connection, error details) are skipped.
 */
public record DecodedEvent(
        int eventIdLength,
        long timestamp,
        int userIdLength,
        String contentId,
        String title,
        int sizeMb,
        float price,
        String status,
        int durationSeconds,
        float speedMbps,
        String region,
        String device,
        String osVersion,
        String userId) {

    /** Without the user id, for callers that never need it. */
    public DecodedEvent(
            int eventIdLength,
            long timestamp,
            int userIdLength,
            String contentId,
            String title,
            int sizeMb,
            float price,
            String status,
            int durationSeconds,
            float speedMbps,
            String region,
            String device,
            String osVersion) {
        this(
                eventIdLength,
                timestamp,
                userIdLength,
                contentId,
                title,
                sizeMb,
                price,
                status,
                durationSeconds,
                speedMbps,
                region,
                device,
                osVersion,
                null);
    }
}
