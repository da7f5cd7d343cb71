package com.streampulse.job.it;

import com.streampulse.events.Content;
import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.events.Download;
import com.streampulse.events.UserContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * One record to send in a test: a real event (encoded with Avro's own writer, as the original
 * producers do, unless other bytes are given), or raw bytes alone, and the Kafka partition it goes
 * to.
 *
 * @param rawBytes the bytes sent; null sends the plain binary of {@code event} (or, without an
 *     event, a tombstone)
 */
public record TestEvent(int partition, ContentDownloadEvent event, byte[] rawBytes) {

    private static final SpecificDatumWriter<ContentDownloadEvent> WRITER =
            new SpecificDatumWriter<>(ContentDownloadEvent.class);

    public byte[] value() {
        return rawBytes != null || event == null ? rawBytes : encode(event);
    }

    public byte[] key() {
        return event == null ? null : event.getUserContext().getRegion().getBytes();
    }

    public static byte[] encode(ContentDownloadEvent event) {
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

    public static TestEvent raw(int partition, byte[] bytes) {
        return new TestEvent(partition, null, bytes);
    }

    /** The event in another wire format: {@code bytes} are sent, the event is what they hold. */
    public static TestEvent encoded(int partition, ContentDownloadEvent event, byte[] bytes) {
        return new TestEvent(partition, event, bytes);
    }

    public static Builder at(Instant time) {
        return new Builder(time);
    }

    /** A successful download of mov_avengers_2 in US-California on an iPhone, unless told else. */
    public static final class Builder {
        private final Instant time;
        private String eventId;
        private String content = "mov_avengers_2";
        private String title = "Avengers: Endgame 2";
        private int sizeMb = 4500;
        private float price = 19.99f;
        private String status = "success";
        private int duration = 120;
        private float speed = 40f;
        private String region = "US-California";
        private String device = "iPhone 15 Pro";
        private String os = "iOS 18.1";
        private String userId = "user-1";

        private Builder(Instant time) {
            this.time = time;
        }

        public Builder content(String id, String title, int sizeMb) {
            this.content = id;
            this.title = title;
            this.sizeMb = sizeMb;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder device(String device, String os) {
            this.device = device;
            this.os = os;
            return this;
        }

        public Builder failed() {
            return status("failed").speed(2f).duration(30);
        }

        public Builder cancelled() {
            return status("cancelled").duration(10);
        }

        public Builder status(String status) {
            this.status = status;
            return this;
        }

        public Builder speed(float speed) {
            this.speed = speed;
            return this;
        }

        public Builder duration(int seconds) {
            this.duration = seconds;
            return this;
        }

        public Builder price(float price) {
            this.price = price;
            return this;
        }

        public Builder eventId(String eventId) {
            this.eventId = eventId;
            return this;
        }

        public Builder userId(String userId) {
            this.userId = userId;
            return this;
        }

        public ContentDownloadEvent build() {
            return ContentDownloadEvent.newBuilder()
                    .setEventId(eventId != null ? eventId : UUID.randomUUID().toString())
                    .setTimestamp(time)
                    .setUserId(userId)
                    .setContent(
                            Content.newBuilder()
                                    .setContentId(content)
                                    .setTitle(title)
                                    .setType("movie")
                                    .setCategory("action")
                                    .setSizeMb(sizeMb)
                                    .setPrice(price)
                                    .build())
                    .setDownload(
                            Download.newBuilder()
                                    .setStatus(status)
                                    .setDurationSeconds(duration)
                                    .setSpeedMbps(speed)
                                    .setErrorCode(status.equals("failed") ? "cdn_timeout" : null)
                                    .setErrorMessage(
                                            status.equals("failed") ? "CDN timed out" : null)
                                    .build())
                    .setUserContext(
                            UserContext.newBuilder()
                                    .setRegion(region)
                                    .setCity("somewhere")
                                    .setDevice(device)
                                    .setOsVersion(os)
                                    .setConnectionType("wifi")
                                    .build())
                    .build();
        }

        public TestEvent to(int partition) {
            return new TestEvent(partition, build(), null);
        }
    }
}
