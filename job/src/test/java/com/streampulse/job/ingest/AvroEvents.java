package com.streampulse.job.ingest;

import com.streampulse.events.Content;
import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.events.Download;
import com.streampulse.events.UserContext;
import com.streampulse.schemas.SingleObjectWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Events as the original producers write them: built with the generated classes and encoded with
 * Avro's own {@link SpecificDatumWriter}, so the decoder is held to the real wire format.
 */
final class AvroEvents {

    static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    private static final SpecificDatumWriter<ContentDownloadEvent> WRITER =
            new SpecificDatumWriter<>(ContentDownloadEvent.class);

    private AvroEvents() {}

    /** A successful 4500 MB download at {@link #NOW}, with both optional error fields null. */
    static ContentDownloadEvent.Builder valid() {
        return ContentDownloadEvent.newBuilder()
                .setEventId("6f1c2a9e-4d7b-4b8e-9a53-0c1d2e3f4a5b")
                .setTimestamp(NOW)
                .setUserId("user-42")
                .setContent(
                        Content.newBuilder()
                                .setContentId("mov_avengers_2")
                                .setTitle("Avengers: Endgame 2")
                                .setType("movie")
                                .setCategory("action")
                                .setSizeMb(4500)
                                .setPrice(19.99f)
                                .build())
                .setDownload(
                        Download.newBuilder()
                                .setStatus("success")
                                .setDurationSeconds(120)
                                .setSpeedMbps(40.5f)
                                .setErrorCode(null)
                                .setErrorMessage(null)
                                .build())
                .setUserContext(
                        UserContext.newBuilder()
                                .setRegion("US-California")
                                .setCity("San Francisco")
                                .setDevice("iPhone 15 Pro")
                                .setOsVersion("iOS 18.1")
                                .setConnectionType("wifi")
                                .build());
    }

    /** {@link #valid()} with its download part replaced. */
    static ContentDownloadEvent withDownload(
            String status, int duration, float speed, String errorCode, String errorMessage) {
        return valid().setDownload(
                        Download.newBuilder()
                                .setStatus(status)
                                .setDurationSeconds(duration)
                                .setSpeedMbps(speed)
                                .setErrorCode(errorCode)
                                .setErrorMessage(errorMessage)
                                .build())
                .build();
    }

    static byte[] encode(ContentDownloadEvent event) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            WRITER.write(event, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Single-object encoding of version 1, by the encoder Avro generates into the class. */
    static byte[] singleObjectV1(ContentDownloadEvent event) {
        try {
            ByteBuffer buffer = ContentDownloadEvent.getEncoder().encode(event);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Single-object encoding of version 2, as an app of version {@code appVersion} sends it. */
    static byte[] singleObjectV2(ContentDownloadEvent event, String appVersion) {
        return new SingleObjectWriter(2, appVersion).write(event);
    }

    /** Avro's own reading of {@code bytes}; only call it on bytes whose lengths are in bounds. */
    static ContentDownloadEvent avroDecode(byte[] bytes) throws IOException {
        return new SpecificDatumReader<>(ContentDownloadEvent.class)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }

    /**
     * Writes Avro primitives one by one, for records no well-behaved producer would send (a union
     * branch that does not exist, a string that claims more bytes than follow).
     */
    static final class RawWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);

        RawWriter string(String value) {
            return io(() -> encoder.writeString(value));
        }

        RawWriter varLong(long value) {
            return io(() -> encoder.writeLong(value));
        }

        RawWriter floatValue(float value) {
            return io(() -> encoder.writeFloat(value));
        }

        /** The fields of {@link #valid()} up to and including {@code content.size_mb}. */
        RawWriter validUpToSize() {
            return string("6f1c2a9e")
                    .varLong(NOW.toEpochMilli())
                    .string("user-42")
                    .string("mov_avengers_2")
                    .string("Avengers: Endgame 2")
                    .string("movie")
                    .string("action")
                    .varLong(4500);
        }

        /** Price, status, duration and speed of {@link #valid()}. */
        RawWriter validPriceToSpeed() {
            return floatValue(19.99f).string("success").varLong(120).floatValue(40.5f);
        }

        /** The user context of {@link #valid()}. */
        RawWriter validUserContext() {
            return string("US-California")
                    .string("San Francisco")
                    .string("iPhone 15 Pro")
                    .string("iOS 18.1")
                    .string("wifi");
        }

        byte[] bytes() {
            io(encoder::flush);
            return out.toByteArray();
        }

        private RawWriter io(IoAction action) {
            try {
                action.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        private interface IoAction {
            void run() throws IOException;
        }
    }
}
