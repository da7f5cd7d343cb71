package com.streampulse.job.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Some of one user's downloads in one window, as a {@link SessionBatch} carries them: for tests to
 * build batches and read them back. The job never decodes a partial into an object ({@link
 * PendingSessions} reads the bytes).
 */
public class SessionPartial extends Session {

    public final String userId;

    public SessionPartial(String userId) {
        this.userId = userId;
    }

    /** A batch of {@code partials}, encoded as the pre-aggregator encodes downloads. */
    public static SessionBatch batch(int bucket, SessionPartial... partials) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        for (SessionPartial partial : partials) {
            SessionsSerializer.writeString(partial.userId, out);
            SessionsSerializer.writeSession(partial, out);
        }
        return new SessionBatch(bucket, partials.length, out.getCopyOfBuffer());
    }

    /**
     * The ids among {@code candidates} whose fingerprints {@code contents} holds, sorted: the
     * contents of a session, for tests that know which ids it may hold.
     */
    public static List<String> contentIds(long[] contents, String... candidates) {
        List<String> ids = new ArrayList<>();
        for (String c : candidates) {
            if (Arrays.binarySearch(contents, Session.fingerprint(c)) >= 0) {
                ids.add(c);
            }
        }
        assertThat(ids).as("ids found among the candidates").hasSize(contents.length);
        ids.sort(null);
        return ids;
    }

    /** The partials of {@code batch}, decoded. */
    public static SessionPartial[] of(SessionBatch batch) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(batch.encoded);
        SessionPartial[] partials = new SessionPartial[batch.size];
        for (int i = 0; i < partials.length; i++) {
            partials[i] =
                    SessionsSerializer.readSession(
                            new SessionPartial(SessionsSerializer.readString(in)), in);
        }
        return partials;
    }
}
