package com.streampulse.job.sessions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A user's open sessions in RocksDB (without their sets, read and written once per flush), and the
 * fragments of their sets ({@link SessionBuilder}): a compact hand-written layout instead of
 * Flink's reflective POJO serializer (which writes a null flag per field and per array element).
 * Counts and the session's length are variable-length integers, so a typical session of a few
 * downloads takes a few dozen bytes.
 *
 * <p>Layout: number of sessions, then per session: start (8 bytes), end − start, downloads, failed,
 * successful MB (variable-length), then the contents' fingerprints (count + 8 bytes each), regions
 * and devices (count + strings). A string is its UTF-8 length and bytes: Flink's {@code
 * StringValue} reads through a thread-local buffer that cost more than the RocksDB read itself
 * here. The layout before fingerprints wrote contents as strings: state in it is read by {@link
 * StringContents} and rewritten on restore ({@link Snapshot}).
 */
public class SessionsSerializer extends TypeSerializerSingleton<Session[]> {

    private static final long serialVersionUID = 1L;

    public static final SessionsSerializer INSTANCE = new SessionsSerializer();

    /** Only {@link #INSTANCE} and the reader of the older layout, {@link StringContents}. */
    SessionsSerializer() {}

    private static final Session[] EMPTY = new Session[0];

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public Session[] createInstance() {
        return EMPTY;
    }

    @Override
    public Session[] copy(Session[] from) {
        Session[] copy = new Session[from.length];
        for (int i = 0; i < from.length; i++) {
            copy[i] = Session.copyOf(from[i]);
        }
        return copy;
    }

    @Override
    public Session[] copy(Session[] from, Session[] reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Session[] sessions, DataOutputView out) throws IOException {
        writeVarLong(sessions.length, out);
        for (Session s : sessions) {
            writeSession(s, out);
        }
    }

    @Override
    public Session[] deserialize(DataInputView in) throws IOException {
        Session[] sessions = new Session[(int) readVarLong(in)];
        for (int i = 0; i < sessions.length; i++) {
            sessions[i] = readSession(new Session(), in);
        }
        return sessions;
    }

    @Override
    public Session[] deserialize(Session[] reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<Session[]> snapshotConfiguration() {
        return new Snapshot();
    }

    /** One session in the layout above; also the body of a {@link SessionBatch}'s partials. */
    static void writeSession(Session s, DataOutputView out) throws IOException {
        out.writeLong(s.start);
        writeVarLong(s.end - s.start, out);
        writeVarLong(s.downloads, out);
        writeVarLong(s.failed, out);
        writeVarLong(s.successfulSizeMb, out);
        writeFingerprints(s.contents, out);
        writeStrings(s.regions, out);
        writeStrings(s.devices, out);
    }

    /** Reads what {@link #writeSession} wrote into {@code s}, and returns it. */
    static <S extends Session> S readSession(S s, DataInputView in) throws IOException {
        readSums(s, in);
        s.contents = readFingerprints(in);
        s.regions = readStrings(in);
        s.devices = readStrings(in);
        return s;
    }

    private static void writeFingerprints(long[] contents, DataOutputView out) throws IOException {
        writeVarLong(contents.length, out);
        for (long f : contents) {
            out.writeLong(f);
        }
    }

    private static long[] readFingerprints(DataInputView in) throws IOException {
        long[] contents = new long[(int) readVarLong(in)];
        for (int i = 0; i < contents.length; i++) {
            contents[i] = in.readLong();
        }
        return contents;
    }

    /** Reads the span and sums {@link #writeSession} wrote into {@code s}, up to the sets. */
    static void readSums(Session s, DataInputView in) throws IOException {
        s.start = in.readLong();
        s.end = s.start + readVarLong(in);
        s.downloads = readVarLong(in);
        s.failed = readVarLong(in);
        s.successfulSizeMb = readVarLong(in);
    }

    private static void writeStrings(String[] strings, DataOutputView out) throws IOException {
        writeVarLong(strings.length, out);
        for (String s : strings) {
            writeString(s, out);
        }
    }

    private static String[] readStrings(DataInputView in) throws IOException {
        String[] strings = new String[(int) readVarLong(in)];
        for (int i = 0; i < strings.length; i++) {
            strings[i] = readString(in);
        }
        return strings;
    }

    static void writeString(String s, DataOutputView out) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeVarLong(utf8.length, out);
        out.write(utf8);
    }

    static String readString(DataInputView in) throws IOException {
        byte[] utf8 = new byte[(int) readVarLong(in)];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /** Seven bits a byte, lowest first; for the non-negative counts above. */
    static void writeVarLong(long value, DataOutputView out) throws IOException {
        while ((value & ~0x7FL) != 0) {
            out.writeByte((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    static long readVarLong(DataInputView in) throws IOException {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in.readByte();
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
    }

    /**
     * No configuration, only the layout's version: 3 for contents as strings (the version of
     * Flink's {@code SimpleTypeSerializerSnapshot}, which this class extended then), 4 for
     * fingerprints. State written in the older layout is compatible after migration: Flink reads it
     * with {@link StringContents} and rewrites it with this serializer when the job restores.
     */
    public static final class Snapshot implements TypeSerializerSnapshot<Session[]> {

        static final int STRING_CONTENTS = 3;
        static final int FINGERPRINTS = 4;

        private int version = FINGERPRINTS;

        public Snapshot() {}

        Snapshot(int version) {
            this.version = version;
        }

        @Override
        public int getCurrentVersion() {
            return version;
        }

        @Override
        public void writeSnapshot(DataOutputView out) {}

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
                throws IOException {
            if (readVersion != STRING_CONTENTS && readVersion != FINGERPRINTS) {
                throw new IOException("Unknown version of the sessions' layout: " + readVersion);
            }
            version = readVersion;
        }

        @Override
        public TypeSerializer<Session[]> restoreSerializer() {
            return version == FINGERPRINTS ? INSTANCE : StringContents.INSTANCE;
        }

        @Override
        public TypeSerializerSchemaCompatibility<Session[]> resolveSchemaCompatibility(
                TypeSerializerSnapshot<Session[]> old) {
            if (!(old instanceof Snapshot restored)) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            return restored.version == version
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
    }

    /**
     * Reads sessions written with contents as strings, fingerprinting them: the serializer of state
     * restored from before fingerprints, which Flink uses only to read it for the migration.
     */
    static final class StringContents extends SessionsSerializer {

        private static final long serialVersionUID = 1L;

        static final StringContents INSTANCE = new StringContents();

        @Override
        public void serialize(Session[] sessions, DataOutputView out) {
            throw new UnsupportedOperationException(
                    "Sessions are written in the layout of SessionsSerializer only");
        }

        @Override
        public Session[] deserialize(DataInputView in) throws IOException {
            Session[] sessions = new Session[(int) readVarLong(in)];
            for (int i = 0; i < sessions.length; i++) {
                Session s = new Session();
                readSums(s, in);
                String[] contents = readStrings(in);
                s.contents = Session.NO_CONTENTS;
                for (String c : contents) {
                    s.contents = Session.with(s.contents, Session.fingerprint(c));
                }
                s.regions = readStrings(in);
                s.devices = readStrings(in);
                sessions[i] = s;
            }
            return sessions;
        }

        @Override
        public TypeSerializerSnapshot<Session[]> snapshotConfiguration() {
            return new Snapshot(Snapshot.STRING_CONTENTS);
        }
    }
}
