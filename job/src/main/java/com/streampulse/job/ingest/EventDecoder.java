package com.streampulse.job.ingest;

import java.nio.charset.StandardCharsets;

/**
 * Reads {@code ContentDownloadEvent} (schemas/versions/v1.avsc, the original) from plain Avro
 * binary: the default wire format and the throughput-critical path. Other schema versions arrive in
 * single-object encoding and are read by {@link SingleObjectDecoder}.
 *
 * <p>Written by hand for two reasons. Safety: Avro's own decoder allocates a string's declared
 * length before checking that the bytes exist, so one corrupt record can claim 2 GB and take the
 * TaskManager down in a crash loop; here every length is checked against the bytes present first.
 * Speed: it builds no intermediate objects and skips the fields the job never reads. Tests hold it
 * to Avro's encoder for valid events and to Avro's decoder for random bytes, and fail if the
 * schema's fields change.
 */
public final class EventDecoder {

    private final byte[] bytes;
    private int pos;

    private EventDecoder(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Decodes one whole record; trailing bytes make the record malformed too. */
    public static DecodedEvent decode(byte[] bytes) throws MalformedEventException {
        if (bytes == null || bytes.length == 0) {
            throw new MalformedEventException("empty record");
        }
        EventDecoder in = new EventDecoder(bytes);
        int eventIdLength = in.skipString("event_id");
        long timestamp = in.readLong("timestamp");
        int userIdLength = in.stringLength("user_id");
        String userId = new String(bytes, in.pos, userIdLength, StandardCharsets.UTF_8);
        in.pos += userIdLength;
        String contentId = in.readString("content.content_id");
        String title = in.readString("content.title");
        in.skipString("content.type");
        in.skipString("content.category");
        int sizeMb = in.readInt("content.size_mb");
        float price = in.readFloat("content.price");
        String status = in.readString("download.status");
        int duration = in.readInt("download.duration_seconds");
        float speed = in.readFloat("download.speed_mbps");
        in.skipOptionalString("download.error_code");
        in.skipOptionalString("download.error_message");
        String region = in.readString("user_context.region");
        in.skipString("user_context.city");
        String device = in.readString("user_context.device");
        String osVersion = in.readString("user_context.os_version");
        in.skipString("user_context.connection_type");
        if (in.pos != bytes.length) {
            throw new MalformedEventException(
                    (bytes.length - in.pos) + " trailing bytes after a complete event");
        }
        return new DecodedEvent(
                eventIdLength,
                timestamp,
                userIdLength,
                contentId,
                title,
                sizeMb,
                price,
                status,
                duration,
                speed,
                region,
                device,
                osVersion,
                userId);
    }

    private long readLong(String field) throws MalformedEventException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= bytes.length) {
                throw new MalformedEventException("record ends inside " + field);
            }
            int b = bytes[pos++] & 0xff;
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (value >>> 1) ^ -(value & 1);
            }
        }
        throw new MalformedEventException("invalid variable-length number in " + field);
    }

    private int readInt(String field) throws MalformedEventException {
        long value = readLong(field);
        if (value != (int) value) {
            throw new MalformedEventException(field + " does not fit an int");
        }
        return (int) value;
    }

    private float readFloat(String field) throws MalformedEventException {
        if (bytes.length - pos < 4) {
            throw new MalformedEventException("record ends inside " + field);
        }
        int bits =
                (bytes[pos] & 0xff)
                        | (bytes[pos + 1] & 0xff) << 8
                        | (bytes[pos + 2] & 0xff) << 16
                        | (bytes[pos + 3] & 0xff) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    private int stringLength(String field) throws MalformedEventException {
        long length = readLong(field);
        if (length < 0 || length > bytes.length - pos) {
            throw new MalformedEventException(
                    field + " claims " + length + " bytes but " + (bytes.length - pos) + " remain");
        }
        return (int) length;
    }

    private String readString(String field) throws MalformedEventException {
        int length = stringLength(field);
        String value = new String(bytes, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return value;
    }

    private int skipString(String field) throws MalformedEventException {
        int length = stringLength(field);
        pos += length;
        return length;
    }

    private void skipOptionalString(String field) throws MalformedEventException {
        long branch = readLong(field);
        if (branch == 1) {
            skipString(field);
        } else if (branch != 0) {
            throw new MalformedEventException("union branch " + branch + " of " + field);
        }
    }
}
