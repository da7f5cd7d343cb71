package com.streampulse.job.sessions;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.Value;

/**
 * The partials of one bucket of users in one window, from one flush of one pre-aggregator: what
 * crosses the network to {@link SessionBuilder}, one record per bucket instead of one per user. Not
 * sorted by user: sorting took about a tenth of the sessions' CPU in a profile of {@code make
 * bench-sessions}; what reading the users in key order saves in RocksDB was not measured.
 *
 * <p>A Flink {@link Value}, written in the compact layout of {@link SessionsSerializer}: as a POJO
 * (an array of POJOs with string arrays, read and written by reflection, every string through
 * {@code StringValue}'s thread-local buffer) it cost about a fifth of the sessions' thread and a
 * tenth of the source's in a profile of the sustained benchmark with sessions on. Not state: only
 * the network sees this layout.
 */
public class SessionBatch implements Value {

    private static final long serialVersionUID = 1L;

    public int bucket;
    public SessionPartial[] partials;

    public SessionBatch() {}

    public SessionBatch(int bucket, SessionPartial[] partials) {
        this.bucket = bucket;
        this.partials = partials;
    }

    /**
     * The bucket of a user: a fixed number, independent of the parallelism, so a rescale moves
     * whole buckets. From the hash code's mixed middle bits (as trending's buckets), not its low
     * ones, which hash maps of one bucket's users index by.
     */
    public static int bucket(String userId, int buckets) {
        return Math.floorMod((userId.hashCode() * 0x9E3779B9) >>> 16, buckets);
    }

    /**
     * Bucket, number of partials, then per partial its user and {@link SessionsSerializer}'s
     * session.
     */
    @Override
    public void write(DataOutputView out) throws IOException {
        out.writeInt(bucket);
        SessionsSerializer.writeVarLong(partials.length, out);
        for (SessionPartial partial : partials) {
            SessionsSerializer.writeString(partial.userId, out);
            SessionsSerializer.writeSession(partial, out);
        }
    }

    @Override
    public void read(DataInputView in) throws IOException {
        bucket = in.readInt();
        partials = new SessionPartial[(int) SessionsSerializer.readVarLong(in)];
        for (int i = 0; i < partials.length; i++) {
            partials[i] =
                    SessionsSerializer.readSession(
                            new SessionPartial(SessionsSerializer.readString(in)), in);
        }
    }
}
