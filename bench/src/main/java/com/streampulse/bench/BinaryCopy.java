package com.streampulse.bench;

import com.streampulse.job.records.ContentStats;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * content_stats rows in PostgreSQL's binary COPY format: a header, then per row its field count and
 * each field as its length in bytes and its value, then -1. No escaping: bytes arrive as sent.
 */
final class BinaryCopy {

    /** Microseconds between 1970-01-01 and 2000-01-01, PostgreSQL's epoch for timestamps. */
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    private static final byte[] SIGNATURE = {
        'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0
    };

    private static final short CONTENT_STATS_FIELDS = 8;

    private BinaryCopy() {}

    static byte[] contentStats(List<ContentStats> rows) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(rows.size() * 128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(SIGNATURE);
            out.writeInt(0); // flags: no OIDs
            out.writeInt(0); // no header extension
            for (ContentStats r : rows) {
                out.writeShort(CONTENT_STATS_FIELDS);
                timestamp(out, r.windowStart());
                timestamp(out, r.windowEnd());
                text(out, r.contentId());
                text(out, r.title());
                bigint(out, r.downloadCount());
                bigint(out, r.successfulDownloads());
                bigint(out, r.failedDownloads());
                out.writeInt(8);
                out.writeDouble(r.totalSizeGb());
            }
            out.writeShort(-1); // end of data
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: an in-memory stream", e);
        }
        return bytes.toByteArray();
    }

    private static void timestamp(DataOutputStream out, long epochMillis) throws IOException {
        bigint(out, epochMillis * 1000 - POSTGRES_EPOCH_MICROS);
    }

    private static void bigint(DataOutputStream out, long value) throws IOException {
        out.writeInt(8);
        out.writeLong(value);
    }

    private static void text(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}
