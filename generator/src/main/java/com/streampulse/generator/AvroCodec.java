package com.streampulse.generator;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.schemas.SchemaVersions;
import com.streampulse.schemas.SingleObjectWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * One event on the wire. By default plain Avro binary, exactly what the original producers send: no
 * header, no schema id. {@link #singleObject} writes as an upgraded producer does instead: Avro
 * single-object encoding of a chosen schema version. Not thread-safe (it reuses its encoder); one
 * per thread.
 */
public final class AvroCodec {

    /** What the generator stamps in {@code app_version} when a version has that field. */
    static final String APP_VERSION = "streampulse-generator-1.0.0";

    private final SpecificDatumWriter<ContentDownloadEvent> writer =
            new SpecificDatumWriter<>(ContentDownloadEvent.class);
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private final SingleObjectWriter singleObject;
    private BinaryEncoder encoder;

    /** Plain binary, as the original producers send. */
    public AvroCodec() {
        this(null);
    }

    private AvroCodec(SingleObjectWriter singleObject) {
        this.singleObject = singleObject;
    }

    /**
     * Single-object encoding of schema version {@code version} (schemas/versions/vN.avsc).
     *
     * @throws IllegalArgumentException naming the versions there are
     */
    public static AvroCodec singleObject(int version) {
        return new AvroCodec(new SingleObjectWriter(version, APP_VERSION));
    }

    /** Whether this is the default: plain binary of the original schema. */
    public boolean isPlain() {
        return singleObject == null;
    }

    /** The wire format in words, for the start line. */
    public String describe() {
        return isPlain()
                ? "plain binary (schema v" + SchemaVersions.ORIGINAL + ")"
                : "single-object encoding of schema " + singleObject.version();
    }

    public byte[] encode(ContentDownloadEvent event) {
        if (singleObject != null) {
            return singleObject.write(event);
        }
        buffer.reset();
        encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
        try {
            writer.write(event, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /**
     * Decodes one whole record. Strict as the job is: bytes left over after a complete event make
     * the record malformed too, which Avro's reader alone would not notice.
     */
    public static ContentDownloadEvent decode(byte[] bytes) throws IOException {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        ContentDownloadEvent event;
        try {
            event = new SpecificDatumReader<>(ContentDownloadEvent.class).read(null, decoder);
        } catch (AvroRuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!decoder.isEnd()) {
            throw new IOException("trailing bytes after a complete event");
        }
        return event;
    }
}
