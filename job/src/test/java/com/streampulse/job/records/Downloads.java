package com.streampulse.job.records;

import com.streampulse.job.records.Download.Status;
import java.time.Instant;

/** Valid downloads for tests; only what the code under test reads varies. */
public final class Downloads {

    private Downloads() {}

    public static Download download(
            Status status, int durationSeconds, long speedMicros, int sizeMb) {
        return new Download(
                1_764_237_600_000L,
                "mov_1",
                "Title One",
                "EU-Berlin",
                "Pixel 9",
                "Android 15",
                status,
                durationSeconds,
                speedMicros,
                sizeMb,
                0,
                0L,
                1_764_237_600_000L,
                null,
                false);
    }

    /** A successful download at {@code time}, read from {@code partition} at {@code offset}. */
    public static Download read(Instant time, int partition, long offset) {
        return new Download(
                time.toEpochMilli(),
                "mov_1",
                "Title One",
                "EU-Berlin",
                "Pixel 9",
                "Android 15",
                Status.SUCCESS,
                60,
                40_000_000L,
                100,
                partition,
                offset,
                time.toEpochMilli(),
                null,
                false);
    }

    /** {@code d} with another user id. */
    public static Download withUserId(Download d, String userId) {
        return copy(d, d.payload(), userId);
    }

    /** {@code d} with another raw payload. */
    public static Download withPayload(Download d, byte[] payload) {
        return copy(d, payload, d.userId());
    }

    private static Download copy(Download d, byte[] payload, String userId) {
        return new Download(
                d.timestamp(),
                d.contentId(),
                d.title(),
                d.region(),
                d.device(),
                d.osVersion(),
                d.status(),
                d.durationSeconds(),
                d.speedMicros(),
                d.sizeMb(),
                d.partition(),
                d.offset(),
                d.logTimestamp(),
                payload,
                d.late(),
                userId);
    }

    public static WindowCounts copy(WindowCounts c) {
        WindowCounts copy = new WindowCounts(c.dimension, c.key, c.detail, c.windowStart);
        copy.total = c.total;
        copy.successful = c.successful;
        copy.failed = c.failed;
        copy.durationSecondsSum = c.durationSecondsSum;
        copy.speedMicrosSum = c.speedMicrosSum;
        copy.successfulSizeMb = c.successfulSizeMb;
        copy.onTimeTotal = c.onTimeTotal;
        copy.onTimeSuccessful = c.onTimeSuccessful;
        copy.onTimeSpeedMicrosSum = c.onTimeSpeedMicrosSum;
        return copy;
    }

    /** Every field, for comparing two counts (WindowCounts has no equals on purpose: mutable). */
    public static String fields(WindowCounts c) {
        return String.join(
                "|",
                String.valueOf(c.key),
                String.valueOf(c.detail),
                String.valueOf(c.windowStart),
                String.valueOf(c.total),
                String.valueOf(c.successful),
                String.valueOf(c.failed),
                String.valueOf(c.durationSecondsSum),
                String.valueOf(c.speedMicrosSum),
                String.valueOf(c.successfulSizeMb));
    }
}
