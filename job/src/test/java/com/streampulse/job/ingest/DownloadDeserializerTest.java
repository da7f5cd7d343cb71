package com.streampulse.job.ingest;

import static com.streampulse.job.ingest.AvroEvents.NOW;
import static com.streampulse.job.ingest.AvroEvents.encode;
import static com.streampulse.job.ingest.AvroEvents.valid;
import static com.streampulse.job.records.Downloads.withPayload;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.job.records.Download;
import com.streampulse.job.records.Download.Status;
import com.streampulse.job.records.Ingested;
import com.streampulse.job.records.RejectedEvent;
import com.streampulse.job.records.RejectedEvent.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DownloadDeserializerTest {

    private static final String TOPIC = "content-downloads";

    /** The Kafka record's timestamp: the producer sent the event 5 s after stamping it. */
    private static final long LOG_TIME = NOW.toEpochMilli() + 5_000;

    @Test
    void validEventBecomesADownloadWithItsKafkaCoordinates() {
        byte[] bytes = encode(valid().build());
        Ingested in = ingest(bytes);

        assertThat(in.isValid()).isTrue();
        assertThat(in.rejected()).isNull();
        assertThat(in.download())
                .isEqualTo(
                        new Download(
                                NOW.toEpochMilli(),
                                "mov_avengers_2",
                                "Avengers: Endgame 2",
                                "US-California",
                                "iPhone 15 Pro",
                                "iOS 18.1",
                                Status.SUCCESS,
                                120,
                                40_500_000L,
                                4500,
                                2,
                                17L,
                                LOG_TIME,
                                bytes,
                                false,
                                "user-42"));
    }

    @Test
    void singleObjectEventsOfEveryVersionBecomeTheSameDownload() {
        ContentDownloadEvent event = valid().build();
        Download plain = ingest(encode(event)).download();
        for (byte[] bytes :
                List.of(
                        AvroEvents.singleObjectV1(event),
                        AvroEvents.singleObjectV2(event, "5.2.0"),
                        AvroEvents.singleObjectV2(event, null))) {
            Ingested in = ingest(bytes);

            assertThat(in.isValid()).isTrue();
            // Everything but the raw payload, which is what was sent.
            assertThat(in.download()).isEqualTo(withPayload(plain, bytes));
            assertThat(in.download().payload()).isSameAs(bytes);
        }
    }

    @Test
    void singleObjectEventIsValidatedAsAPlainOneIs() {
        byte[] bytes =
                AvroEvents.singleObjectV2(
                        AvroEvents.withDownload("pending", 120, 40f, null, null), "5.2.0");

        RejectedEvent r = rejected(ingest(bytes));

        assertThat(r.reason()).isEqualTo(Reason.INVALID);
        assertThat(r.detail()).isEqualTo("download.status is not success, failed or cancelled");
        assertThat(r.eventTime()).isEqualTo(NOW.toEpochMilli());
        assertThat(r.payload()).isSameAs(bytes);
    }

    @Test
    void unknownFingerprintIsMalformedWithTheRawPayload() {
        byte[] bytes = AvroEvents.singleObjectV2(valid().build(), "5.2.0");
        bytes[9] ^= 0x40; // another writer schema's fingerprint

        RejectedEvent r = rejected(ingest(bytes));

        assertThat(r.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(r.detail())
                .isEqualTo(
                        "unknown writer schema fingerprint 935dc7d39eac72fe (single-object"
                                + " encoding; known: v1 (fingerprint 8fdd51b936010efb), v2"
                                + " (fingerprint d35dc7d39eac72fe))");
        assertThat(r.eventTime()).isNull();
        assertThat(r.payload()).isSameAs(bytes);
    }

    @Test
    void truncatedSingleObjectEventIsMalformed() {
        byte[] full = AvroEvents.singleObjectV2(valid().build(), null);

        RejectedEvent r = rejected(ingest(Arrays.copyOf(full, full.length - 1)));

        assertThat(r.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(r.detail())
                .isEqualTo(
                        "body does not decode as schema v2 (fingerprint d35dc7d39eac72fe):"
                                + " EOFException");
    }

    @Test
    void undecodableBytesAreMalformedWithTheRawPayload() {
        byte[] garbage = {0x13, 0x37, (byte) 0xff};

        RejectedEvent r = rejected(ingest(garbage));

        assertThat(r.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(r.topic()).isEqualTo(TOPIC);
        assertThat(r.partition()).isEqualTo(2);
        assertThat(r.offset()).isEqualTo(17L);
        assertThat(r.detail()).isEqualTo("event_id claims -10 bytes but 2 remain");
        assertThat(r.eventTime()).isNull();
        assertThat(r.payload()).isSameAs(garbage);
    }

    @Test
    void nullValueIsMalformedNotAnException() {
        // A tombstone (null value) on the topic.
        RejectedEvent r = rejected(ingest(null));

        assertThat(r.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(r.detail()).isEqualTo("empty record");
        assertThat(r.payload()).isNull();
    }

    @Test
    void emptyValueIsMalformed() {
        RejectedEvent r = rejected(ingest(new byte[0]));

        assertThat(r.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(r.detail()).isEqualTo("empty record");
        assertThat(r.payload()).isEmpty();
    }

    @Test
    void truncatedEventIsMalformed() {
        byte[] full = encode(valid().build());
        byte[] cut = Arrays.copyOf(full, full.length - 1);

        RejectedEvent r = rejected(ingest(cut));

        assertThat(r.reason()).isEqualTo(Reason.MALFORMED);
        // The last field, connection_type "wifi", lost its last byte.
        assertThat(r.detail())
                .isEqualTo("user_context.connection_type claims 4 bytes but 3 remain");
    }

    @Test
    void decodableButWrongEventIsInvalidWithItsReasonTimeAndPayload() {
        byte[] bytes = encode(AvroEvents.withDownload("pending", 120, 40f, null, null));

        RejectedEvent r = rejected(ingest(bytes));

        assertThat(r.reason()).isEqualTo(Reason.INVALID);
        assertThat(r.detail()).isEqualTo("download.status is not success, failed or cancelled");
        assertThat(r.eventTime()).isEqualTo(NOW.toEpochMilli());
        assertThat(r.payload()).isSameAs(bytes);
    }

    @Test
    void emptyIdsAreInvalid() {
        assertThat(rejected(ingest(encode(valid().setEventId("").build()))).detail())
                .isEqualTo("event_id is empty");
        assertThat(rejected(ingest(encode(valid().setUserId("").build()))).detail())
                .isEqualTo("user_id is empty");
    }

    @Test
    void futureTimestampIsJudgedAgainstTheRecordsOwnKafkaTimestamp() {
        Instant twoHoursAhead = Instant.ofEpochMilli(LOG_TIME + 2 * 3_600_000L);
        byte[] bytes = encode(valid().setTimestamp(twoHoursAhead).build());

        RejectedEvent r = rejected(ingest(bytes));

        assertThat(r.reason()).isEqualTo(Reason.INVALID);
        assertThat(r.detail())
                .isEqualTo(
                        "timestamp "
                                + twoHoursAhead.toEpochMilli()
                                + " is more than 1 h ahead of its Kafka record's timestamp "
                                + LOG_TIME);
        assertThat(r.eventTime()).isEqualTo(twoHoursAhead.toEpochMilli());
        // The same bytes in a record sent two hours later are valid; no reader's clock is asked.
        assertThat(
                        DownloadDeserializer.ingest(TOPIC, 2, 17L, LOG_TIME + 2 * 3_600_000L, bytes)
                                .isValid())
                .isTrue();
    }

    @Test
    void aRecordWithoutATimestampIsNotJudgedOnTheFuture() {
        byte[] farAhead =
                encode(valid().setTimestamp(Instant.parse("2999-01-01T00:00:00Z")).build());

        assertThat(DownloadDeserializer.ingest(TOPIC, 2, 17L, -1L, farAhead).isValid()).isTrue();
    }

    @Test
    void invalidEventTimeOutsidePostgresRangeIsLeftNull() {
        byte[] bytes = encode(valid().setTimestamp(Instant.ofEpochMilli(Long.MIN_VALUE)).build());

        RejectedEvent r = rejected(ingest(bytes));

        assertThat(r.reason()).isEqualTo(Reason.INVALID);
        assertThat(r.eventTime()).isNull();
        assertThat(DownloadDeserializer.storableTime(-62_135_596_800_000L))
                .isEqualTo(-62_135_596_800_000L); // 0001-01-01T00:00:00Z
        assertThat(DownloadDeserializer.storableTime(-62_135_596_800_001L)).isNull();
        assertThat(DownloadDeserializer.storableTime(253_402_300_799_000L))
                .isEqualTo(253_402_300_799_000L); // 9999-12-31T23:59:59Z
        assertThat(DownloadDeserializer.storableTime(253_402_300_799_001L)).isNull();
    }

    @Test
    void statusInAnyCaseIsCounted() {
        Ingested in = ingest(encode(AvroEvents.withDownload("CANCELLED", 10, 3f, null, null)));

        assertThat(in.download().status()).isEqualTo(Status.CANCELLED);
    }

    @Test
    void deserializeEmitsExactlyOneRecordPerKafkaRecordWithItsTimestamp() {
        DownloadDeserializer deserializer = new DownloadDeserializer();
        List<Ingested> out = new ArrayList<>();
        Collector<Ingested> collector =
                new Collector<>() {
                    @Override
                    public void collect(Ingested record) {
                        out.add(record);
                    }

                    @Override
                    public void close() {}
                };

        deserializer.deserialize(record(7, 100L, encode(valid().build())), collector);
        deserializer.deserialize(record(7, 101L, new byte[] {1}), collector);
        deserializer.deserialize(record(7, 102L, null), collector);

        assertThat(out).hasSize(3);
        assertThat(out.get(0).download().offset()).isEqualTo(100L);
        assertThat(out.get(0).download().partition()).isEqualTo(7);
        assertThat(out.get(1).rejected().offset()).isEqualTo(101L);
        assertThat(out.get(2).rejected().offset()).isEqualTo(102L);
        assertThat(deserializer.getProducedType().getTypeClass()).isEqualTo(Ingested.class);
    }

    @Test
    void openLoadsEverySchemaVersion() {
        new DownloadDeserializer().open(null);

        assertThat(SingleObjectDecoder.known())
                .isEqualTo("v1 (fingerprint 8fdd51b936010efb), v2 (fingerprint d35dc7d39eac72fe)");
    }

    @Property(tries = 2000)
    void arbitraryBytesNeverThrowAndGiveExactlyOneOutcome(@ForAll @Size(max = 300) byte[] bytes) {
        assertExactlyOneOutcome(bytes, ingest(bytes));
    }

    @Property(tries = 2000)
    void damagedEventsNeverThrowAndGiveExactlyOneOutcome(@ForAll("damagedEvents") byte[] bytes) {
        assertExactlyOneOutcome(bytes, ingest(bytes));
    }

    /** Real events with a few bytes overwritten and maybe cut short: they get far into decoding. */
    @Provide
    Arbitrary<byte[]> damagedEvents() {
        return damaged(encode(AvroEvents.withDownload("failed", 30, 1.25f, "e1", "boom")));
    }

    private static Arbitrary<byte[]> damaged(byte[] original) {
        Arbitrary<int[]> positions =
                Arbitraries.integers()
                        .between(0, original.length - 1)
                        .array(int[].class)
                        .ofMaxSize(4);
        Arbitrary<byte[]> values = Arbitraries.bytes().array(byte[].class).ofSize(4);
        Arbitrary<Integer> length = Arbitraries.integers().between(0, original.length + 2);
        return Combinators.combine(positions, values, length)
                .as(
                        (pos, val, len) -> {
                            byte[] b = Arrays.copyOf(original, len);
                            for (int i = 0; i < pos.length; i++) {
                                if (pos[i] < b.length) {
                                    b[pos[i]] = val[i];
                                }
                            }
                            return b;
                        });
    }

    @Property(tries = 2000)
    void arbitraryBodiesAfterAKnownHeaderNeverThrow(
            @ForAll("knownHeaders") byte[] header, @ForAll @Size(max = 300) byte[] body) {
        byte[] bytes = Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, bytes, header.length, body.length);
        assertExactlyOneOutcome(bytes, ingest(bytes));
    }

    @Property(tries = 500)
    void arbitraryFingerprintsNeverThrow(@ForAll @Size(min = 2, max = 40) byte[] bytes) {
        bytes[0] = (byte) 0xC3;
        bytes[1] = 0x01;
        assertExactlyOneOutcome(bytes, ingest(bytes));
    }

    @Property(tries = 2000)
    void damagedSingleObjectEventsNeverThrowAndGiveExactlyOneOutcome(
            @ForAll("damagedSingleObjectEvents") byte[] bytes) {
        assertExactlyOneOutcome(bytes, ingest(bytes));
    }

    /** C3 01 and the fingerprint of a version the job knows: the body is all that is arbitrary. */
    @Provide
    Arbitrary<byte[]> knownHeaders() {
        ContentDownloadEvent event = valid().build();
        return Arbitraries.of(
                Arrays.copyOf(AvroEvents.singleObjectV1(event), 10),
                Arrays.copyOf(AvroEvents.singleObjectV2(event, null), 10));
    }

    /** Version 2 events with a few bytes overwritten and maybe cut short. */
    @Provide
    Arbitrary<byte[]> damagedSingleObjectEvents() {
        return damaged(
                AvroEvents.singleObjectV2(
                        AvroEvents.withDownload("failed", 30, 1.25f, "e1", "boom"), "5.2.0"));
    }

    private static void assertExactlyOneOutcome(byte[] bytes, Ingested in) {
        assertThat(in.download() == null).isNotEqualTo(in.rejected() == null);
        if (in.rejected() != null) {
            assertThat(in.rejected().reason()).isIn(Reason.MALFORMED, Reason.INVALID);
            assertThat(in.rejected().detail()).isNotBlank();
            assertThat(in.rejected().payload()).isSameAs(bytes);
            assertThat(in.rejected().offset()).isEqualTo(17L);
        } else {
            // A counted event passed validation.
            Download d = in.download();
            assertThat(d.contentId()).isNotBlank();
            assertThat(d.speedMicros()).isBetween(0L, 1_000_000_000_000L);
            assertThat(d.timestamp()).isLessThanOrEqualTo(LOG_TIME + 3_600_000L);
        }
    }

    private static Ingested ingest(byte[] value) {
        return DownloadDeserializer.ingest(TOPIC, 2, 17L, LOG_TIME, value);
    }

    private static RejectedEvent rejected(Ingested in) {
        assertThat(in.isValid()).isFalse();
        assertThat(in.download()).isNull();
        return in.rejected();
    }

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, byte[] v) {
        return new ConsumerRecord<>(TOPIC, partition, offset, "region".getBytes(), v);
    }
}
