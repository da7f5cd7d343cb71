package com.streampulse.job.ingest;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Avro's {@link BinaryDecoder} over a byte array, with one change: a length or an item count is
 * checked against the bytes that remain before anything is allocated. Avro's own decoder allocates
 * a string's claimed length first, so one corrupt record claiming 2 GB would take the TaskManager
 * down (see {@link EventDecoder}). Avro's {@code ResolvingDecoder} runs on top of this one, so
 * schema resolution stays Avro's.
 *
 * <p>An array or map block may not claim more items than bytes remain: true of every item type
 * except null, zero-sized fixed and empty records, which no event schema uses.
 */
final class BoundedDecoder extends Decoder {

    private final BinaryDecoder in;
    private int lastIndex = -1;

    BoundedDecoder(byte[] bytes, int offset, int length) {
        this.in = DecoderFactory.get().binaryDecoder(bytes, offset, length, null);
    }

    /** The last union branch or enum symbol read, to name it when it does not exist. */
    int lastIndex() {
        return lastIndex;
    }

    /** Bytes not read yet. */
    int remaining() throws IOException {
        return in.inputStream().available();
    }

    private int checkedLength(String what) throws IOException {
        long length = in.readLong();
        int remaining = remaining();
        if (length < 0 || length > remaining) {
            throw new EOFException(
                    what + " claims " + length + " bytes but " + remaining + " remain");
        }
        return (int) length;
    }

    private long checkedCount(long count) throws IOException {
        int remaining = remaining();
        if (count > remaining) {
            throw new EOFException(
                    "a block claims " + count + " items but " + remaining + " bytes remain");
        }
        return count;
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = checkedLength("a string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        in.readFixed(result.getBytes(), 0, length);
        return result;
    }

    @Override
    public String readString() throws IOException {
        return readString(null).toString();
    }

    @Override
    public void skipString() throws IOException {
        in.skipFixed(checkedLength("a string"));
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        byte[] bytes = new byte[checkedLength("a bytes value")];
        in.readFixed(bytes, 0, bytes.length);
        return ByteBuffer.wrap(bytes);
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipFixed(checkedLength("a bytes value"));
    }

    @Override
    public long readArrayStart() throws IOException {
        return checkedCount(in.readArrayStart());
    }

    @Override
    public long arrayNext() throws IOException {
        return checkedCount(in.arrayNext());
    }

    @Override
    public long readMapStart() throws IOException {
        return checkedCount(in.readMapStart());
    }

    @Override
    public long mapNext() throws IOException {
        return checkedCount(in.mapNext());
    }

    // The rest reads numbers or sizes the schema fixes: nothing to bound.

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        lastIndex = in.readEnum();
        return lastIndex;
    }

    @Override
    public long skipArray() throws IOException {
        return skipSizedBlocks();
    }

    @Override
    public long skipMap() throws IOException {
        return skipSizedBlocks();
    }

    /**
     * Skips the blocks that carry their size in bytes, as Avro's decoder does, and returns the item
     * count of the next block, to be skipped item by item. Avro's own version moves backwards on a
     * negative size.
     */
    private long skipSizedBlocks() throws IOException {
        long count = in.readLong();
        while (count < 0) {
            in.skipFixed(checkedLength("a block"));
            count = in.readLong();
        }
        return checkedCount(count);
    }

    @Override
    public int readIndex() throws IOException {
        lastIndex = in.readIndex();
        return lastIndex;
    }
}
