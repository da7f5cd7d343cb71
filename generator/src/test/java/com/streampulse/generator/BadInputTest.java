package com.streampulse.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.generator.Outgoing.Kind;
import com.streampulse.job.ingest.DecodedEvent;
import com.streampulse.job.ingest.EventDecoder;
import com.streampulse.job.ingest.EventValidator;
import com.streampulse.job.ingest.MalformedEventException;
import com.streampulse.job.ingest.SingleObjectDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the generator calls malformed fails Avro's own reader and the job's decoder; what it calls
 * invalid decodes but fails the job's validator; everything else passes both.
 */
class BadInputTest {

    static final Instant START = Instant.now();

    @Test
    void everyRecordIsWhatItsKindSays() throws Exception {
        SyntheticSource source =
                new SyntheticSource(SyntheticOptions.plain(11, START, 1000).withBadInput(0.1, 0.1));
        Map<Kind, Integer> seen = new EnumMap<>(Kind.class);
        long now = System.currentTimeMillis();
        for (int i = 0; i < 20_000; i++) {
            Outgoing r = source.next();
            seen.merge(r.kind(), 1, Integer::sum);
            if (r.kind() == Kind.MALFORMED) {
                assertThatThrownBy(() -> AvroCodec.decode(r.value()))
                        .isInstanceOf(IOException.class);
                assertThatThrownBy(() -> EventDecoder.decode(r.value()))
                        .isInstanceOf(MalformedEventException.class);
                continue;
            }
            ContentDownloadEvent decoded = AvroCodec.decode(r.value());
            assertThat(decoded).isEqualTo(r.event());
            DecodedEvent forJob = EventDecoder.decode(r.value());
            String problem = EventValidator.problem(forJob, now);
            if (r.kind() == Kind.INVALID) {
                assertThat(problem).isNotNull();
            } else {
                assertThat(problem).isNull();
            }
        }
        assertThat(seen.get(Kind.MALFORMED)).isBetween(1_800, 2_200);
        assertThat(seen.get(Kind.INVALID)).isBetween(1_600, 2_000);
    }

    @Test
    void singleObjectRecordsAreWhatTheirKindSaysToo() throws Exception {
        AvroCodec codec = AvroCodec.singleObject(2);
        SyntheticSource source =
                new SyntheticSource(
                        SyntheticOptions.plain(11, START, 1000).withBadInput(0.1, 0.1), codec);
        SyntheticSource plain =
                new SyntheticSource(SyntheticOptions.plain(11, START, 1000).withBadInput(0.1, 0.1));
        long now = System.currentTimeMillis();
        for (int i = 0; i < 5_000; i++) {
            Outgoing r = source.next();
            // The encoding draws no random numbers: the same seed gives the same run.
            Outgoing same = plain.next();
            assertThat(r.kind()).isEqualTo(same.kind());
            assertThat(r.event()).isEqualTo(same.event());
            if (r.kind() == Kind.MALFORMED) {
                assertThatThrownBy(() -> decodeAsTheJobDoes(r.value()))
                        .isInstanceOf(MalformedEventException.class);
                continue;
            }
            DecodedEvent forJob = SingleObjectDecoder.decode(r.value());
            assertThat(forJob).isEqualTo(EventDecoder.decode(same.value()));
            String problem = EventValidator.problem(forJob, now);
            assertThat(problem == null).isEqualTo(r.kind() != Kind.INVALID);
        }
    }

    @Test
    void singleObjectVersionTwoStampsTheGeneratorsAppVersion() {
        ContentDownloadEvent event =
                new SyntheticSource(SyntheticOptions.plain(1, START, 1)).next().event();
        byte[] bytes = AvroCodec.singleObject(2).encode(event);

        assertThat(Arrays.copyOf(bytes, 10)).isEqualTo(KafkaSinkTest.singleObjectHeader(2));
        assertThat(new String(bytes, StandardCharsets.UTF_8)).endsWith(AvroCodec.APP_VERSION);
        assertThat(AvroCodec.singleObject(1).encode(event))
                .startsWith(KafkaSinkTest.singleObjectHeader(1));
    }

    /** What the job's deserializer does with the bytes (without its Flink interface). */
    private static DecodedEvent decodeAsTheJobDoes(byte[] bytes) throws MalformedEventException {
        return SingleObjectDecoder.isSingleObject(bytes)
                ? SingleObjectDecoder.decode(bytes)
                : EventDecoder.decode(bytes);
    }

    @Test
    void avroEncodingIsPlainBinaryWithoutAHeader() {
        ContentDownloadEvent event =
                new SyntheticSource(SyntheticOptions.plain(1, START, 1)).next().event();
        byte[] bytes = new AvroCodec().encode(event);
        // The first field is the event id: a zig-zag length 72 (36 characters), then the UUID.
        assertThat(bytes[0]).isEqualTo((byte) 72);
        assertThat(new String(bytes, 1, 36, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(event.getEventId());
    }
}
