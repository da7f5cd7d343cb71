package com.streampulse.job.ingest;

import com.streampulse.schemas.SchemaVersions;
import com.streampulse.schemas.SchemaVersions.Version;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * Reads events in Avro single-object encoding: {@code C3 01}, the 8-byte little-endian CRC-64-AVRO
 * fingerprint of the writer schema's parsing canonical form, then the Avro binary body. The writer
 * schema is looked up by fingerprint among every version in {@code schemas/versions/} and resolved
 * into the current reader schema by Avro's own {@link GenericDatumReader}; fields a newer producer
 * added are skipped, and the result is the same {@link DecodedEvent} the fast path gives for the
 * same content.
 *
 * <p>Plain binary is never mistaken for this: {@code C3 01} as the event id's length is the
 * variable-length number -98, which the fast path rejects anyway.
 */
public final class SingleObjectDecoder {

    private static final byte MAGIC_0 = (byte) 0xC3;
    private static final byte MAGIC_1 = 0x01;
    private static final int HEADER_LENGTH = 10;

    /** Reader per writer fingerprint. GenericDatumReader is safe to share between threads. */
    private static final Map<Long, VersionReader> READERS = readers();

    private static final String KNOWN =
            SchemaVersions.all().stream().map(Version::toString).collect(Collectors.joining(", "));

    private record VersionReader(Version writer, GenericDatumReader<GenericRecord> reader) {}

    private SingleObjectDecoder() {}

    /** The writer schemas known, with their fingerprints, for logs and reasons. */
    public static String known() {
        return KNOWN;
    }

    /** Whether the bytes start with the single-object marker. */
    public static boolean isSingleObject(byte[] bytes) {
        return bytes != null && bytes.length >= 2 && bytes[0] == MAGIC_0 && bytes[1] == MAGIC_1;
    }

    /** Decodes one whole single-object record; trailing bytes make it malformed too. */
    public static DecodedEvent decode(byte[] bytes) throws MalformedEventException {
        if (bytes.length < HEADER_LENGTH) {
            throw new MalformedEventException(
                    "single-object header cut short: "
                            + bytes.length
                            + " of "
                            + HEADER_LENGTH
                            + " bytes");
        }
        long fingerprint = littleEndianLong(bytes, 2);
        VersionReader version = READERS.get(fingerprint);
        if (version == null) {
            throw new MalformedEventException(
                    "unknown writer schema fingerprint "
                            + SchemaVersions.hex(fingerprint)
                            + " (single-object encoding; known: "
                            + KNOWN
                            + ")");
        }
        BoundedDecoder body =
                new BoundedDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH);
        GenericRecord event;
        int trailing;
        try {
            event = version.reader().read(null, body);
            trailing = body.remaining();
        } catch (IOException | RuntimeException e) {
            throw new MalformedEventException(
                    "body does not decode as schema "
                            + version.writer()
                            + ": "
                            + describe(e, body));
        }
        if (trailing != 0) {
            throw new MalformedEventException(
                    trailing
                            + " trailing bytes after a complete event of schema "
                            + version.writer());
        }
        return project(event);
    }

    /** The fields the job uses, as {@link EventDecoder} reads them from plain binary. */
    private static DecodedEvent project(GenericRecord event) {
        GenericRecord content = (GenericRecord) event.get("content");
        GenericRecord download = (GenericRecord) event.get("download");
        GenericRecord context = (GenericRecord) event.get("user_context");
        return new DecodedEvent(
                ((Utf8) event.get("event_id")).getByteLength(),
                (Long) event.get("timestamp"),
                ((Utf8) event.get("user_id")).getByteLength(),
                content.get("content_id").toString(),
                content.get("title").toString(),
                (Integer) content.get("size_mb"),
                (Float) content.get("price"),
                download.get("status").toString(),
                (Integer) download.get("duration_seconds"),
                (Float) download.get("speed_mbps"),
                context.get("region").toString(),
                context.get("device").toString(),
                context.get("os_version").toString(),
                event.get("user_id").toString());
    }

    /**
     * Avro's reason, the same on every read of the same bytes (a replay rewrites the row). Avro
     * signals bad data with EOFException and AvroRuntimeException and its subtypes, whose messages
     * it writes itself; a union branch or enum symbol that does not exist surfaces as an index
     * exception from the JVM, whose message the JIT may drop, so that one is described here.
     */
    private static String describe(Exception e, BoundedDecoder body) {
        if (e instanceof IndexOutOfBoundsException) {
            return "union branch or enum symbol " + body.lastIndex() + " does not exist";
        }
        String name = e.getClass().getSimpleName();
        boolean ownMessage = e instanceof IOException || e instanceof AvroRuntimeException;
        return ownMessage && e.getMessage() != null ? name + ": " + e.getMessage() : name;
    }

    private static long littleEndianLong(byte[] bytes, int offset) {
        long value = 0;
        for (int i = 7; i >= 0; i--) {
            value = (value << 8) | (bytes[offset + i] & 0xffL);
        }
        return value;
    }

    private static Map<Long, VersionReader> readers() {
        // The files as shipped, not the generated classes' schema: without the classes'
        // avro.java.string property, strings stay Utf8 and their byte lengths are at hand.
        Version current = SchemaVersions.current();
        Map<Long, VersionReader> readers = new HashMap<>();
        for (Version writer : SchemaVersions.all()) {
            readers.put(
                    writer.fingerprint(),
                    new VersionReader(
                            writer, new GenericDatumReader<>(writer.schema(), current.schema())));
        }
        return Map.copyOf(readers);
    }
}
