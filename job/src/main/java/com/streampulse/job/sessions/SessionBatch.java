package com.streampulse.job.sessions;

import com.streampulse.job.records.Download;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.Value;

/**
 * The partials of one bucket of users in one window, from one flush of one pre-aggregator: what
 * crosses the network to {@link SessionBuilder}, one record per bucket instead of one per download.
 * Kept encoded, each partial its user and then {@link SessionsSerializer}'s session, one after
 * another: the pre-aggregator writes a download's bytes as it reads the download ({@link
 * SessionPartials}), and the builder joins them into its users' sessions straight from the bytes
 * ({@link PendingSessions}). Not sorted by user: sorting took about a tenth of the sessions' CPU in
 * a profile of {@code make bench-sessions}.
 *
 * <p>A Flink {@link Value}, so Flink copies the bytes instead of reflecting over objects (as a POJO
 * with string arrays it cost about a fifth of the sessions' thread in a profile). Not state: only
 * the network sees this layout.
 */
public class SessionBatch implements Value {

    private static final long serialVersionUID = 1L;

    public int bucket;

    /** How many partials {@link #encoded} holds. */
    public int size;

    public byte[] encoded;

    public SessionBatch() {}

    public SessionBatch(int bucket, int size, byte[] encoded) {
        this.bucket = bucket;
        this.size = size;
        this.encoded = encoded;
    }

    /**
     * Appends the partial of {@code d} alone: its user, then {@link SessionsSerializer}'s session
     * of that one download, written without building it.
     */
    static void writeDownload(Download d, DataOutputView out) throws IOException {
        SessionsSerializer.writeString(d.userId(), out);
        out.writeLong(d.timestamp());
        SessionsSerializer.writeVarLong(0, out); // end − start
        SessionsSerializer.writeVarLong(1, out); // downloads
        SessionsSerializer.writeVarLong(d.status() == Download.Status.FAILED ? 1 : 0, out);
        SessionsSerializer.writeVarLong(
                d.status() == Download.Status.SUCCESS ? d.sizeMb() : 0, out);
        SessionsSerializer.writeVarLong(1, out);
        out.writeLong(Session.fingerprint(d.contentId()));
        writeOne(d.region(), out);
        writeOne(d.device(), out);
    }

    private static void writeOne(String s, DataOutputView out) throws IOException {
        SessionsSerializer.writeVarLong(1, out);
        SessionsSerializer.writeString(s, out);
    }

    /**
     * The bucket of a user: a fixed number, independent of the parallelism, so a rescale moves
     * whole buckets. From the hash code's mixed middle bits (as trending's buckets), not its low
     * ones, which hash maps of one bucket's users index by.
     */
    public static int bucket(String userId, int buckets) {
        return Math.floorMod((userId.hashCode() * 0x9E3779B9) >>> 16, buckets);
    }

    /** Bucket, number of partials, number of bytes, then the bytes. */
    @Override
    public void write(DataOutputView out) throws IOException {
        out.writeInt(bucket);
        SessionsSerializer.writeVarLong(size, out);
        SessionsSerializer.writeVarLong(encoded.length, out);
        out.write(encoded);
    }

    @Override
    public void read(DataInputView in) throws IOException {
        bucket = in.readInt();
        size = (int) SessionsSerializer.readVarLong(in);
        encoded = new byte[(int) SessionsSerializer.readVarLong(in)];
        in.readFully(encoded);
    }
}
