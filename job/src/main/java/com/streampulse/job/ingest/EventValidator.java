package com.streampulse.job.ingest;

import com.streampulse.job.records.Download;
import com.streampulse.job.records.Download.Status;
import java.time.Instant;
import java.util.Locale;

/**
 * Decides whether a decoded event can be counted. Everything that would make a result row wrong, or
 * make PostgreSQL refuse the row (NUL characters, keys too long for an index), is INVALID here.
 */
public final class EventValidator {

    /** 2000-01-01T00:00:00Z: nothing older is a real download. */
    public static final long EARLIEST_TIMESTAMP =
            Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();

    /**
     * How far ahead of its Kafka record's timestamp an event may be stamped. Judged against the
     * record, not the reader's wall clock, so a replay gives the same verdict.
     */
    public static final long MAX_FUTURE_MILLIS = 3_600_000L;

    /** Keys longer than this would not fit a PostgreSQL index entry comfortably. */
    static final int MAX_KEY_LENGTH = 256;

    static final int MAX_TITLE_LENGTH = 1024;

    /** 1 Tbps: above this a speed is a bug, and sums in micro-Mbps would risk overflow. */
    static final float MAX_SPEED_MBPS = 1_000_000f;

    private EventValidator() {}

    /**
     * The reason the event can't be counted, or null when it is valid.
     *
     * @param logTimestamp the Kafka record's timestamp, or a negative value when the record has
     *     none (then the future is not checked)
     */
    public static String problem(DecodedEvent e, long logTimestamp) {
        if (e.eventIdLength() == 0) {
            return "event_id is empty";
        }
        if (e.userIdLength() == 0) {
            return "user_id is empty";
        }
        if (e.timestamp() < EARLIEST_TIMESTAMP) {
            return "timestamp " + e.timestamp() + " is before 2000-01-01";
        }
        if (logTimestamp >= 0 && e.timestamp() > logTimestamp + MAX_FUTURE_MILLIS) {
            return "timestamp "
                    + e.timestamp()
                    + " is more than 1 h ahead of its Kafka record's timestamp "
                    + logTimestamp;
        }
        String keyProblem = firstBadKey(e);
        if (keyProblem != null) {
            return keyProblem;
        }
        if (e.title().length() > MAX_TITLE_LENGTH || e.title().indexOf('\0') >= 0) {
            return "content.title is longer than " + MAX_TITLE_LENGTH + " or contains NUL";
        }
        if (e.sizeMb() < 0) {
            return "content.size_mb is negative: " + e.sizeMb();
        }
        if (!Float.isFinite(e.price()) || e.price() < 0) {
            return "content.price is negative or not finite: " + e.price();
        }
        if (e.durationSeconds() < 0) {
            return "download.duration_seconds is negative: " + e.durationSeconds();
        }
        if (!Float.isFinite(e.speedMbps()) || e.speedMbps() < 0) {
            return "download.speed_mbps is negative or not finite: " + e.speedMbps();
        }
        if (e.speedMbps() > MAX_SPEED_MBPS) {
            return "download.speed_mbps is above " + MAX_SPEED_MBPS + ": " + e.speedMbps();
        }
        if (status(e.status()) == null) {
            return "download.status is not success, failed or cancelled";
        }
        return null;
    }

    /** Checked on every event: no array or other allocation unless something is wrong. */
    private static String firstBadKey(DecodedEvent e) {
        String problem = keyProblem("content.content_id", e.contentId());
        if (problem == null) {
            problem = keyProblem("user_context.region", e.region());
        }
        if (problem == null) {
            problem = keyProblem("user_context.device", e.device());
        }
        if (problem == null) {
            problem = keyProblem("user_context.os_version", e.osVersion());
        }
        return problem;
    }

    private static String keyProblem(String field, String value) {
        if (value.isBlank()) {
            return field + " is empty";
        }
        if (value.length() > MAX_KEY_LENGTH) {
            return field + " is longer than " + MAX_KEY_LENGTH + " characters";
        }
        if (value.indexOf('\0') >= 0) {
            return field + " contains a NUL character";
        }
        return null;
    }

    /**
     * The status, matched without regard to case; null when it is none of the three. Lower-cased in
     * the root locale rather than compared with {@code equalsIgnoreCase}, which also accepts
     * look-alikes such as "ſuccess" (long s) and "faıled" (dotless i).
     */
    public static Status status(String value) {
        // Producers send lower case: match that without allocating, then any other case.
        Status exact = exactStatus(value);
        return exact != null ? exact : exactStatus(value.toLowerCase(Locale.ROOT));
    }

    private static Status exactStatus(String value) {
        return switch (value) {
            case "success" -> Status.SUCCESS;
            case "failed" -> Status.FAILED;
            case "cancelled" -> Status.CANCELLED;
            default -> null;
        };
    }

    /** The projection of a valid event (call only when {@link #problem} returned null). */
    public static Download toDownload(
            DecodedEvent e, int partition, long offset, long logTimestamp, byte[] payload) {
        return new Download(
                e.timestamp(),
                e.contentId(),
                e.title(),
                e.region(),
                e.device(),
                e.osVersion(),
                status(e.status()),
                e.durationSeconds(),
                Math.round((double) e.speedMbps() * 1_000_000.0),
                e.sizeMb(),
                partition,
                offset,
                logTimestamp,
                payload,
                false,
                e.userId());
    }
}
