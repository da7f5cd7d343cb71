package com.streampulse.generator;

import com.streampulse.events.ContentDownloadEvent;
import java.nio.charset.StandardCharsets;

/**
 * One Kafka record to send: key (the region, or null), value bytes, and what the bytes are.
 *
 * @param event the decoded event; null for {@link Kind#MALFORMED} records
 */
public record Outgoing(String key, byte[] value, ContentDownloadEvent event, Kind kind) {

    /** What the job should make of the record. */
    public enum Kind {
        /** Counted in its window. */
        VALID,
        /** Valid, but stamped far behind the others: LATE once its window has closed. */
        LATE,
        /** Decodes, but the job must reject it as INVALID. */
        INVALID,
        /** Does not decode as the event schema: MALFORMED. */
        MALFORMED
    }

    public byte[] keyBytes() {
        return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }
}
