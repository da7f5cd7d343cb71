package com.streampulse.job.ingest;

import static com.streampulse.job.ingest.AvroEvents.encode;
import static com.streampulse.job.ingest.AvroEvents.singleObjectV1;
import static com.streampulse.job.ingest.AvroEvents.singleObjectV2;
import static com.streampulse.job.ingest.AvroEvents.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.job.ingest.AvroEvents.RawWriter;
import com.streampulse.schemas.SchemaVersions;
import com.streampulse.schemas.SingleObjectWriter;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.Schema.Field;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class SingleObjectDecoderTest {

    private static final String V1 = "v1 (fingerprint 8fdd51b936010efb)";
    private static final String V2 = "v2 (fingerprint d35dc7d39eac72fe)";

    private static final ContentDownloadEvent FAILED =
            AvroEvents.withDownload("failed", 30, 1.25f, "cdn_timeout", "CDN timed out");

    @Test
    void versionOneSingleObjectGivesWhatThePlainFastPathGives() throws Exception {
        for (ContentDownloadEvent event : List.of(valid().build(), FAILED)) {
            byte[] singleObject = singleObjectV1(event);

            assertThat(SingleObjectDecoder.isSingleObject(singleObject)).isTrue();
            assertThat(SingleObjectDecoder.decode(singleObject))
                    .isEqualTo(EventDecoder.decode(encode(event)));
        }
    }

    @Test
    void versionTwoWithTheAddedFieldGivesWhatThePlainFastPathGives() throws Exception {
        for (ContentDownloadEvent event : List.of(valid().build(), FAILED)) {
            DecodedEvent plain = EventDecoder.decode(encode(event));

            assertThat(SingleObjectDecoder.decode(singleObjectV2(event, "5.2.0"))).isEqualTo(plain);
            // The default (null) takes another union branch: one byte instead of six.
            assertThat(SingleObjectDecoder.decode(singleObjectV2(event, null))).isEqualTo(plain);
        }
    }

    @Test
    void multiByteTextAndExtremeNumbersSurviveResolution() throws Exception {
        ContentDownloadEvent event = valid().setEventId("événement-天気").build();
        event.getContent().setTitle("Amélie — 天気の子 🎬");
        event.getContent().setSizeMb(Integer.MIN_VALUE);
        event.getDownload().setDurationSeconds(Integer.MAX_VALUE);
        event.getDownload().setSpeedMbps(Float.NaN);

        DecodedEvent e = SingleObjectDecoder.decode(singleObjectV2(event, "ß-1.0"));

        assertThat(e).isEqualTo(EventDecoder.decode(encode(event)));
        assertThat(e.eventIdLength()).isEqualTo("événement-天気".getBytes("UTF-8").length);
    }

    @Test
    void plainBinaryNeverStartsWithTheMarker() {
        // C3 01 read as the event id's length is -98: the fast path could never accept it.
        byte[] marker = {(byte) 0xC3, 0x01, 0, 0};
        assertThatThrownBy(() -> EventDecoder.decode(marker))
                .hasMessage("event_id claims -98 bytes but 2 remain");
        assertThat(SingleObjectDecoder.isSingleObject(encode(valid().build()))).isFalse();
        assertThat(SingleObjectDecoder.isSingleObject(new byte[] {(byte) 0xC3})).isFalse();
        assertThat(SingleObjectDecoder.isSingleObject(null)).isFalse();
    }

    @Test
    void unknownFingerprintIsMalformedNamingItInHex() throws Exception {
        // A producer already on a version 3 nobody added to schemas/versions/.
        Schema v3 = versionThree();
        GenericRecord record = new GenericData.Record(v3);
        GenericRecord v2 = new SingleObjectWriter(2, "6.0.0").upgrade(valid().build());
        for (Field f : v2.getSchema().getFields()) {
            record.put(f.name(), v2.get(f.name()));
        }
        record.put("session_id", "s-1");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v3).encode(record, out);

        String hex = SchemaVersions.hex(SchemaNormalization.parsingFingerprint64(v3));
        assertMalformed(
                out.toByteArray(),
                "unknown writer schema fingerprint "
                        + hex
                        + " (single-object encoding; known: "
                        + V1
                        + ", "
                        + V2
                        + ")");
    }

    @Test
    void fingerprintIsReadLittleEndian() {
        byte[] bytes = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, (byte) 0x88, 0};
        assertThatThrownBy(() -> SingleObjectDecoder.decode(bytes))
                .hasMessageStartingWith("unknown writer schema fingerprint 8807060504030201 ");
    }

    @Test
    void truncatedBodyIsMalformedWithAvrosReason() {
        // Without an app version the body ends with its union index (0, null): Avro's reader
        // finds nothing to read there.
        byte[] withoutAppVersion = singleObjectV2(FAILED, null);
        assertMalformed(
                Arrays.copyOf(withoutAppVersion, withoutAppVersion.length - 1),
                "body does not decode as schema " + V2 + ": EOFException");
        // The last string cut short is found before anything is allocated.
        byte[] full = singleObjectV2(FAILED, "5.2.0");
        assertMalformed(
                Arrays.copyOf(full, full.length - 1),
                "body does not decode as schema "
                        + V2
                        + ": EOFException: a string claims 5 bytes but 4 remain");
        for (int length = 10; length < full.length; length++) {
            byte[] cut = Arrays.copyOf(full, length);
            assertThatThrownBy(() -> SingleObjectDecoder.decode(cut))
                    .as("first %d of %d bytes", length, full.length)
                    .isInstanceOf(MalformedEventException.class)
                    .hasMessageStartingWith("body does not decode as schema " + V2 + ": ");
        }
    }

    @Test
    void truncatedHeaderIsMalformed() {
        byte[] full = singleObjectV2(FAILED, "5.2.0");
        for (int length = 2; length < 10; length++) {
            assertMalformed(
                    Arrays.copyOf(full, length),
                    "single-object header cut short: " + length + " of 10 bytes");
        }
    }

    @Test
    void trailingBytesAreMalformed() {
        byte[] full = singleObjectV1(valid().build());

        assertMalformed(
                Arrays.copyOf(full, full.length + 3),
                "3 trailing bytes after a complete event of schema " + V1);
    }

    @Test
    void hugeClaimedStringLengthIsRejectedWithoutAllocating() {
        // Avro's own decoder would allocate the claimed 2 GB before finding one byte; looped so
        // that any allocation of that size exhausts the test JVM's heap.
        byte[] bytes = withHeader(2, new RawWriter().varLong(Integer.MAX_VALUE - 8).bytes());
        bytes = Arrays.copyOf(bytes, bytes.length + 1);
        for (int i = 0; i < 1_000; i++) {
            assertMalformed(
                    bytes,
                    "body does not decode as schema "
                            + V2
                            + ": EOFException: a string claims 2147483639 bytes but 1 remain");
        }
        assertMalformed(
                withHeader(1, new RawWriter().varLong(-1).string("abc").bytes()),
                "body does not decode as schema "
                        + V1
                        + ": EOFException: a string claims -1 bytes but 4 remain");
    }

    @Test
    void unionBranchThatDoesNotExistIsMalformed() {
        byte[] body =
                new RawWriter()
                        .validUpToSize()
                        .validPriceToSpeed()
                        .varLong(0)
                        .varLong(0)
                        .validUserContext()
                        .varLong(5) // app_version: branch 5 of a two-branch union
                        .string("x")
                        .bytes();

        // Many times: once the JIT has compiled the throwing code, the JVM's own exception loses
        // its message, and the reason must not change with it (a replay rewrites the row).
        for (int i = 0; i < 50_000; i++) {
            assertMalformed(
                    withHeader(2, body),
                    "body does not decode as schema "
                            + V2
                            + ": union branch or enum symbol 5 does not exist");
        }
    }

    @Test
    void everySingleByteChangeIsEitherMalformedOrReadAsAvroResolvesIt() throws Exception {
        byte[] original = singleObjectV2(FAILED, "5.2.0");
        GenericDatumReader<GenericRecord> avro =
                new GenericDatumReader<>(
                        SchemaVersions.get(2).schema(), SchemaVersions.current().schema());
        int decoded = 0;
        for (int pos = 0; pos < original.length; pos++) {
            for (int value = 0; value < 256; value++) {
                byte[] changed = original.clone();
                changed[pos] = (byte) value;
                DecodedEvent ours;
                try {
                    ours = SingleObjectDecoder.decode(changed);
                } catch (MalformedEventException e) {
                    assertThat(e.getMessage()).as("byte %d set to %d", pos, value).isNotBlank();
                    continue;
                }
                decoded++;
                // Every length was in bounds, so Avro's plain decoder is safe on these bytes.
                GenericRecord r =
                        avro.read(
                                null,
                                DecoderFactory.get()
                                        .binaryDecoder(changed, 10, changed.length - 10, null));
                assertThat(ours).as("byte %d set to %d", pos, value).isEqualTo(project(r));
            }
        }
        assertThat(decoded).isGreaterThan(original.length * 10);
    }

    /** Avro's record as the job sees it, written out field by field. */
    private static DecodedEvent project(GenericRecord r) {
        GenericRecord c = (GenericRecord) r.get("content");
        GenericRecord d = (GenericRecord) r.get("download");
        GenericRecord u = (GenericRecord) r.get("user_context");
        return new DecodedEvent(
                ((Utf8) r.get("event_id")).getByteLength(),
                (long) r.get("timestamp"),
                ((Utf8) r.get("user_id")).getByteLength(),
                String.valueOf(c.get("content_id")),
                String.valueOf(c.get("title")),
                (int) c.get("size_mb"),
                (float) c.get("price"),
                String.valueOf(d.get("status")),
                (int) d.get("duration_seconds"),
                (float) d.get("speed_mbps"),
                String.valueOf(u.get("region")),
                String.valueOf(u.get("device")),
                String.valueOf(u.get("os_version")),
                String.valueOf(r.get("user_id")));
    }

    /** Version 2 plus a top-level {@code session_id}. */
    private static Schema versionThree() {
        Schema v2 = SchemaVersions.get(2).schema();
        List<Field> fields = new ArrayList<>();
        for (Field f : v2.getFields()) {
            fields.add(new Field(f, f.schema()));
        }
        fields.add(new Field("session_id", Schema.create(Schema.Type.STRING), null, ""));
        return Schema.createRecord(v2.getName(), null, v2.getNamespace(), false, fields);
    }

    private static byte[] withHeader(int version, byte[] body) {
        long fingerprint = SchemaVersions.get(version).fingerprint();
        byte[] bytes = new byte[10 + body.length];
        bytes[0] = (byte) 0xC3;
        bytes[1] = 0x01;
        for (int i = 0; i < 8; i++) {
            bytes[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        System.arraycopy(body, 0, bytes, 10, body.length);
        return bytes;
    }

    private static void assertMalformed(byte[] bytes, String message) {
        assertThatThrownBy(() -> SingleObjectDecoder.decode(bytes))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage(message);
    }
}
