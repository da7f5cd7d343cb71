package com.streampulse.job.ingest;

import static com.streampulse.job.ingest.AvroEvents.NOW;
import static com.streampulse.job.ingest.AvroEvents.encode;
import static com.streampulse.job.ingest.AvroEvents.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.job.ingest.AvroEvents.RawWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.Schema.Field;
import org.junit.jupiter.api.Test;

class EventDecoderTest {

    @Test
    void decodesWhatAvrosOwnWriterWrote() throws Exception {
        DecodedEvent e = EventDecoder.decode(encode(valid().build()));

        assertThat(e)
                .isEqualTo(
                        new DecodedEvent(
                                "6f1c2a9e-4d7b-4b8e-9a53-0c1d2e3f4a5b".length(),
                                NOW.toEpochMilli(),
                                "user-42".length(),
                                "mov_avengers_2",
                                "Avengers: Endgame 2",
                                4500,
                                19.99f,
                                "success",
                                120,
                                40.5f,
                                "US-California",
                                "iPhone 15 Pro",
                                "iOS 18.1",
                                "user-42"));
    }

    @Test
    void skipsBothBranchesOfTheOptionalErrorFields() throws Exception {
        byte[] withErrors =
                encode(
                        AvroEvents.withDownload(
                                "failed", 30, 1.25f, "cdn_timeout", "CDN timed out"));

        DecodedEvent e = EventDecoder.decode(withErrors);

        assertThat(e.status()).isEqualTo("failed");
        assertThat(e.durationSeconds()).isEqualTo(30);
        assertThat(e.speedMbps()).isEqualTo(1.25f);
        // The fields after the unions are read from the right place.
        assertThat(e.region()).isEqualTo("US-California");
        assertThat(e.osVersion()).isEqualTo("iOS 18.1");
    }

    @Test
    void readsExtremeNumbersAndMultiByteText() throws Exception {
        ContentDownloadEvent event =
                valid().setTimestamp(java.time.Instant.ofEpochMilli(Long.MIN_VALUE / 1000 * 1000))
                        .build();
        event.getContent().setTitle("Amélie — 天気の子 🎬");
        event.getContent().setSizeMb(Integer.MIN_VALUE);
        event.getDownload().setDurationSeconds(Integer.MAX_VALUE);
        event.getDownload().setSpeedMbps(Float.NaN);

        DecodedEvent e = EventDecoder.decode(encode(event));

        assertThat(e.timestamp()).isEqualTo(Long.MIN_VALUE / 1000 * 1000);
        assertThat(e.title()).isEqualTo("Amélie — 天気の子 🎬");
        assertThat(e.sizeMb()).isEqualTo(Integer.MIN_VALUE);
        assertThat(e.durationSeconds()).isEqualTo(Integer.MAX_VALUE);
        assertThat(e.speedMbps()).isNaN();
    }

    @Test
    void decoderFollowsTheSchemaFieldByField() {
        // The decoder reads fields in this order with these types; a schema change must fail here
        // before it silently misreads production traffic.
        assertThat(flatten(ContentDownloadEvent.getClassSchema(), ""))
                .containsExactly(
                        "event_id:STRING",
                        "timestamp:LONG",
                        "user_id:STRING",
                        "content.content_id:STRING",
                        "content.title:STRING",
                        "content.type:STRING",
                        "content.category:STRING",
                        "content.size_mb:INT",
                        "content.price:FLOAT",
                        "download.status:STRING",
                        "download.duration_seconds:INT",
                        "download.speed_mbps:FLOAT",
                        "download.error_code:[NULL, STRING]",
                        "download.error_message:[NULL, STRING]",
                        "user_context.region:STRING",
                        "user_context.city:STRING",
                        "user_context.device:STRING",
                        "user_context.os_version:STRING",
                        "user_context.connection_type:STRING");
    }

    private static List<String> flatten(Schema record, String prefix) {
        List<String> fields = new ArrayList<>();
        for (Field f : record.getFields()) {
            Schema s = f.schema();
            switch (s.getType()) {
                case RECORD -> fields.addAll(flatten(s, prefix + f.name() + "."));
                case UNION ->
                        fields.add(
                                prefix
                                        + f.name()
                                        + ":"
                                        + s.getTypes().stream()
                                                .map(t -> t.getType().toString())
                                                .collect(Collectors.toList()));
                default -> fields.add(prefix + f.name() + ":" + s.getType());
            }
        }
        return fields;
    }

    @Test
    void nullAndEmptyAreMalformed() {
        assertMalformed(null, "empty record");
        assertMalformed(new byte[0], "empty record");
    }

    @Test
    void everyTruncationOfAValidEventIsMalformed() {
        byte[] full = encode(AvroEvents.withDownload("failed", 30, 1.25f, "e1", "boom"));
        for (int length = 1; length < full.length; length++) {
            byte[] cut = Arrays.copyOf(full, length);
            assertThatThrownBy(() -> EventDecoder.decode(cut))
                    .as("first %d of %d bytes", length, full.length)
                    .isInstanceOf(MalformedEventException.class)
                    .hasMessageFindingMatch("record ends inside|claims \\d+ bytes but");
        }
    }

    @Test
    void truncationInsideAFloatNamesTheField() {
        byte[] bytes = new RawWriter().validUpToSize().bytes();
        byte[] twoBytesOfPrice = Arrays.copyOf(bytes, bytes.length + 2);

        assertMalformed(twoBytesOfPrice, "record ends inside content.price");
    }

    @Test
    void trailingBytesAfterACompleteEventAreMalformed() {
        byte[] full = encode(valid().build());
        byte[] longer = Arrays.copyOf(full, full.length + 3);

        assertMalformed(longer, "3 trailing bytes after a complete event");
    }

    @Test
    void hugeClaimedStringLengthIsRejectedWithoutAllocating() {
        // event_id claims Integer.MAX_VALUE bytes; only two follow. Avro's own decoder would try
        // to allocate 2 GB here. Run it many times: any allocation of the claimed size would
        // exhaust the test JVM's 2 GB heap long before the loop ends.
        byte[] bytes = new RawWriter().varLong(Integer.MAX_VALUE).varLong(7).bytes();
        for (int i = 0; i < 1_000; i++) {
            assertMalformed(bytes, "event_id claims 2147483647 bytes but 1 remain");
        }
        byte[] hugerThanInt = new RawWriter().varLong(Long.MAX_VALUE).bytes();
        assertMalformed(hugerThanInt, "event_id claims 9223372036854775807 bytes but 0 remain");
    }

    @Test
    void hugeLengthDeepInsideTheRecordNamesItsField() {
        byte[] bytes =
                new RawWriter()
                        .string("id")
                        .varLong(NOW.toEpochMilli())
                        .string("u")
                        .string("c")
                        .varLong(1L << 40)
                        .string("abc")
                        .bytes();

        assertMalformed(bytes, "content.title claims 1099511627776 bytes but 4 remain");
    }

    @Test
    void negativeStringLengthIsMalformed() {
        byte[] bytes = new RawWriter().varLong(-1).string("abc").bytes();

        assertMalformed(bytes, "event_id claims -1 bytes but 4 remain");
    }

    @Test
    void unionBranchThatDoesNotExistIsMalformed() {
        byte[] bytes =
                new RawWriter()
                        .validUpToSize()
                        .validPriceToSpeed()
                        .varLong(2) // error_code: branch 2 of a two-branch union
                        .string("x")
                        .varLong(0)
                        .validUserContext()
                        .bytes();

        assertMalformed(bytes, "union branch 2 of download.error_code");
    }

    @Test
    void negativeUnionBranchIsMalformed() {
        byte[] bytes =
                new RawWriter()
                        .validUpToSize()
                        .validPriceToSpeed()
                        .varLong(0)
                        .varLong(-1) // error_message
                        .validUserContext()
                        .bytes();

        assertMalformed(bytes, "union branch -1 of download.error_message");
    }

    @Test
    void handWrittenValidRecordMatchesAvrosEncoding() throws Exception {
        // Guards the raw writer the malformed cases above are built with.
        byte[] raw =
                new RawWriter()
                        .string("6f1c2a9e-4d7b-4b8e-9a53-0c1d2e3f4a5b")
                        .varLong(NOW.toEpochMilli())
                        .string("user-42")
                        .string("mov_avengers_2")
                        .string("Avengers: Endgame 2")
                        .string("movie")
                        .string("action")
                        .varLong(4500)
                        .validPriceToSpeed()
                        .varLong(0)
                        .varLong(0)
                        .validUserContext()
                        .bytes();

        assertThat(raw).isEqualTo(encode(valid().build()));
    }

    @Test
    void intFieldOutsideIntRangeIsMalformed() {
        byte[] bytes =
                new RawWriter()
                        .string("id")
                        .varLong(NOW.toEpochMilli())
                        .string("u")
                        .string("c")
                        .string("t")
                        .string("movie")
                        .string("action")
                        .varLong(1L << 31)
                        .bytes();

        assertMalformed(bytes, "content.size_mb does not fit an int");
    }

    @Test
    void varIntLongerThanTenBytesIsMalformed() {
        byte[] bytes = new byte[12];
        Arrays.fill(bytes, (byte) 0x80);

        assertMalformed(bytes, "invalid variable-length number in event_id");
    }

    @Test
    void everySingleByteChangeOfAValidEventIsEitherMalformedOrReadAsAvroReadsIt() throws Exception {
        byte[] original = encode(AvroEvents.withDownload("failed", 30, 1.25f, null, "boom"));
        int decoded = 0;
        for (int pos = 0; pos < original.length; pos++) {
            for (int value = 0; value < 256; value++) {
                byte[] changed = original.clone();
                changed[pos] = (byte) value;
                DecodedEvent ours;
                try {
                    ours = EventDecoder.decode(changed);
                } catch (MalformedEventException e) {
                    continue;
                }
                decoded++;
                // Every length was in bounds, so Avro's reader is safe to run on these bytes.
                ContentDownloadEvent avro = AvroEvents.avroDecode(changed);
                assertThat(ours)
                        .as("byte %d set to %d", pos, value)
                        .isEqualTo(project(avro, ours.eventIdLength(), ours.userIdLength()));
                // The ids are kept only as byte lengths (a broken UTF-8 sequence re-encodes
                // longer), so only their emptiness can be compared with Avro's strings.
                assertThat(ours.eventIdLength() == 0).isEqualTo(avro.getEventId().isEmpty());
                assertThat(ours.userIdLength() == 0).isEqualTo(avro.getUserId().isEmpty());
            }
        }
        // Changing a character of a string, or a digit of a number, still decodes.
        assertThat(decoded).isGreaterThan(original.length * 10);
    }

    private static DecodedEvent project(
            ContentDownloadEvent a, int eventIdLength, int userIdLength) {
        return new DecodedEvent(
                eventIdLength,
                a.getTimestamp().toEpochMilli(),
                userIdLength,
                a.getContent().getContentId(),
                a.getContent().getTitle(),
                a.getContent().getSizeMb(),
                a.getContent().getPrice(),
                a.getDownload().getStatus(),
                a.getDownload().getDurationSeconds(),
                a.getDownload().getSpeedMbps(),
                a.getUserContext().getRegion(),
                a.getUserContext().getDevice(),
                a.getUserContext().getOsVersion(),
                a.getUserId());
    }

    private static void assertMalformed(byte[] bytes, String message) {
        assertThatThrownBy(() -> EventDecoder.decode(bytes))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage(message);
    }
}
