package com.streampulse.job.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The sessions' state layout, and state written before contents were fingerprints. */
class SessionsSerializerTest {

    private static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();

    @Test
    void sessionsRoundTripWithTheirSetsAndSums() throws Exception {
        Session s = session(T0, T0 + 90_000, 4, 1, 700);
        s.contents = Session.with(Session.with(Session.NO_CONTENTS, -17), 42);
        s.regions = new String[] {"EU", "ÜS"};
        s.devices = new String[] {"tv"};
        DataOutputSerializer out = new DataOutputSerializer(64);
        SessionsSerializer.INSTANCE.serialize(new Session[] {s, new Session()}, out);

        Session[] read =
                SessionsSerializer.INSTANCE.deserialize(
                        new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(read).hasSize(2);
        assertThat(read[0]).usingRecursiveComparison().isEqualTo(s);
        assertThat(read[1]).usingRecursiveComparison().isEqualTo(new Session());
    }

    @Test
    void stateWrittenWithContentsAsStringsIsReadWithTheirFingerprints() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        // The layout before fingerprints: one session, contents as strings, unsorted here.
        SessionsSerializer.writeVarLong(1, out);
        out.writeLong(T0);
        SessionsSerializer.writeVarLong(90_000, out);
        SessionsSerializer.writeVarLong(4, out);
        SessionsSerializer.writeVarLong(1, out);
        SessionsSerializer.writeVarLong(700, out);
        strings(out, "mov_b", "mov_a");
        strings(out, "EU");
        strings(out, "phone", "tv");

        Session[] read =
                new SessionsSerializer.Snapshot(SessionsSerializer.Snapshot.STRING_CONTENTS)
                        .restoreSerializer()
                        .deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        Session expected = session(T0, T0 + 90_000, 4, 1, 700);
        expected.contents =
                Session.with(
                        Session.with(Session.NO_CONTENTS, Session.fingerprint("mov_a")),
                        Session.fingerprint("mov_b"));
        expected.regions = new String[] {"EU"};
        expected.devices = new String[] {"phone", "tv"};
        assertThat(read).singleElement().usingRecursiveComparison().isEqualTo(expected);
    }

    @Test
    void stateOfTheOlderLayoutMigratesAndStateOfThisOneIsReadAsItIs() throws Exception {
        TypeSerializerSnapshot<Session[]> current =
                SessionsSerializer.INSTANCE.snapshotConfiguration();

        assertThat(
                        current.resolveSchemaCompatibility(
                                restored(SessionsSerializer.Snapshot.STRING_CONTENTS)))
                .extracting(TypeSerializerSchemaCompatibility::isCompatibleAfterMigration)
                .isEqualTo(true);
        assertThat(
                        current.resolveSchemaCompatibility(
                                restored(SessionsSerializer.Snapshot.FINGERPRINTS)))
                .extracting(TypeSerializerSchemaCompatibility::isCompatibleAsIs)
                .isEqualTo(true);
        assertThat(restored(SessionsSerializer.Snapshot.FINGERPRINTS).restoreSerializer())
                .isSameAs(SessionsSerializer.INSTANCE);
        // The older layout's reader extends this serializer but is not taken for it.
        assertThat(restored(SessionsSerializer.Snapshot.STRING_CONTENTS).restoreSerializer())
                .isNotEqualTo(SessionsSerializer.INSTANCE);
    }

    @Test
    void fingerprintsOfDifferentIdsDiffer() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            seen.add(Session.fingerprint("content_" + i));
        }

        assertThat(seen).hasSize(200_000);
        assertThat(Session.fingerprint("mov_a")).isEqualTo(Session.fingerprint("mov_a"));
    }

    /** A snapshot as Flink writes it into a checkpoint and reads it back on restore. */
    private static TypeSerializerSnapshot<Session[]> restored(int version) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(
                out, new SessionsSerializer.Snapshot(version));
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()),
                SessionsSerializerTest.class.getClassLoader());
    }

    private static void strings(DataOutputSerializer out, String... strings) throws Exception {
        SessionsSerializer.writeVarLong(strings.length, out);
        for (String s : strings) {
            SessionsSerializer.writeString(s, out);
        }
    }

    private static Session session(long start, long end, long downloads, long failed, long mb) {
        Session s = new Session();
        s.start = start;
        s.end = end;
        s.downloads = downloads;
        s.failed = failed;
        s.successfulSizeMb = mb;
        return s;
    }
}
