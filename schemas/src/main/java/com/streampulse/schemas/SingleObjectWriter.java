package com.streampulse.schemas;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.schemas.SchemaVersions.Version;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Writes events as an upgraded producer of one schema version does: Avro single-object encoding
 * ({@code C3 01}, the writer schema's 8-byte fingerprint, the body), by Avro's own {@link
 * BinaryMessageEncoder}. Events are built with the generated classes (version 1); Avro's schema
 * resolution carries them into the chosen version, where the fields that version adds take their
 * defaults, except {@code user_context.app_version}, which a real producer stamps with its own
 * version. Not thread-safe (it reuses buffers); one per thread.
 */
public final class SingleObjectWriter {

    private final Version version;
    private final String appVersion;
    private final SpecificDatumWriter<ContentDownloadEvent> original =
            new SpecificDatumWriter<>(ContentDownloadEvent.class);
    private final GenericDatumReader<GenericRecord> upgrade;
    private final BinaryMessageEncoder<GenericRecord> encoder;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private BinaryEncoder plainEncoder;
    private BinaryDecoder plainDecoder;

    /**
     * @param appVersion what an app of this version stamps in {@code user_context.app_version}
     *     (ignored by versions without that field); null leaves the field's default
     */
    public SingleObjectWriter(int version, String appVersion) {
        this.version = SchemaVersions.get(version);
        this.appVersion = appVersion;
        this.upgrade =
                new GenericDatumReader<>(
                        SchemaVersions.get(SchemaVersions.ORIGINAL).schema(),
                        this.version.schema());
        this.encoder = new BinaryMessageEncoder<>(GenericData.get(), this.version.schema());
    }

    public Version version() {
        return version;
    }

    /** The event in this version's single-object encoding. */
    public byte[] write(ContentDownloadEvent event) {
        return write(upgrade(event));
    }

    /** A record of this version in single-object encoding, as it is. */
    public byte[] write(GenericRecord record) {
        buffer.reset();
        try {
            encoder.encode(record, buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /** The event as a record of this version, with {@code app_version} stamped where it exists. */
    public GenericRecord upgrade(ContentDownloadEvent event) {
        try {
            buffer.reset();
            plainEncoder = EncoderFactory.get().binaryEncoder(buffer, plainEncoder);
            original.write(event, plainEncoder);
            plainEncoder.flush();
            plainDecoder = DecoderFactory.get().binaryDecoder(buffer.toByteArray(), plainDecoder);
            GenericRecord record = upgrade.read(null, plainDecoder);
            GenericRecord context = (GenericRecord) record.get("user_context");
            Schema.Field field = context.getSchema().getField("app_version");
            if (field != null && appVersion != null) {
                context.put(field.pos(), appVersion);
            }
            return record;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
