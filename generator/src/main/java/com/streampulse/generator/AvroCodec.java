package com.streampulse.generator;

import com.streampulse.events.ContentDownloadEvent;
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
 * Plain Avro binary of one event, exactly what the original producers send: no header, no schema
 * id. Not thread-safe (it reuses its encoder); one per thread.
 */
public final class AvroCodec {

    private final SpecificDatumWriter<ContentDownloadEvent> writer =
            new SpecificDatumWriter<>(ContentDownloadEvent.class);
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private BinaryEncoder encoder;

    public byte[] encode(ContentDownloadEvent event) {
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
