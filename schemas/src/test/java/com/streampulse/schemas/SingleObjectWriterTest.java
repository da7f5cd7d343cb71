package com.streampulse.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.events.Content;
import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.events.Download;
import com.streampulse.events.UserContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Arrays;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.SchemaStore;
import org.junit.jupiter.api.Test;

class SingleObjectWriterTest {

    private static ContentDownloadEvent event() {
        return ContentDownloadEvent.newBuilder()
                .setEventId("6f1c2a9e-4d7b-4b8e-9a53-0c1d2e3f4a5b")
                .setTimestamp(Instant.parse("2026-11-27T10:00:00Z"))
                .setUserId("user-42")
                .setContent(new Content("mov_1", "Title", "movie", "action", 4500, 19.99f))
                .setDownload(new Download("failed", 30, 1.5f, "cdn_timeout", null))
                .setUserContext(
                        new UserContext("EU-Paris", "Paris", "Pixel 9", "Android 15", "wifi"))
                .build();
    }

    @Test
    void headerIsC301AndTheWriterSchemasFingerprintLittleEndian() {
        byte[] bytes = new SingleObjectWriter(2, "5.2.0").write(event());

        assertThat(Arrays.copyOf(bytes, 2)).containsExactly(0xC3, 0x01);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint).isEqualTo(SchemaVersions.get(2).fingerprint());
    }

    @Test
    void versionOneIsWhatAvrosGeneratedEncoderWrites() throws Exception {
        ContentDownloadEvent event = event();
        ByteBuffer avro = ContentDownloadEvent.getEncoder().encode(event);
        byte[] expected = new byte[avro.remaining()];
        avro.get(expected);

        assertThat(new SingleObjectWriter(1, "5.2.0").write(event)).isEqualTo(expected);
    }

    @Test
    void versionTwoCarriesEveryFieldAndTheStampedAppVersion() throws Exception {
        SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(SchemaVersions.get(2).schema());
        BinaryMessageDecoder<GenericRecord> avro =
                new BinaryMessageDecoder<>(
                        GenericData.get(), SchemaVersions.get(2).schema(), store);

        GenericRecord read = avro.decode(new SingleObjectWriter(2, "5.2.0").write(event()));

        GenericRecord context = (GenericRecord) read.get("user_context");
        assertThat(context.get("app_version")).hasToString("5.2.0");
        assertThat(context.get("device")).hasToString("Pixel 9");
        assertThat(read.get("event_id")).hasToString("6f1c2a9e-4d7b-4b8e-9a53-0c1d2e3f4a5b");
        assertThat(read.get("timestamp"))
                .isEqualTo(Instant.parse("2026-11-27T10:00:00Z").toEpochMilli());
        GenericRecord download = (GenericRecord) read.get("download");
        assertThat(download.get("error_code")).hasToString("cdn_timeout");
        assertThat(download.get("error_message")).isNull();
        assertThat(((GenericRecord) read.get("content")).get("size_mb")).isEqualTo(4500);
    }

    @Test
    void withoutAnAppVersionTheFieldKeepsItsDefault() {
        GenericRecord v2 = new SingleObjectWriter(2, null).upgrade(event());

        assertThat(((GenericRecord) v2.get("user_context")).get("app_version")).isNull();
    }
}
