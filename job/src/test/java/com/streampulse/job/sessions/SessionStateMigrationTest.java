package com.streampulse.job.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.internal.InternalListState;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint on RocksDB written before contents were fingerprints (contents as strings, the
 * serializer snapshot's version 3) restores into the builder, whose state is migrated, and the
 * session it held closes with its distinct contents counted from the migrated fragments.
 */
class SessionStateMigrationTest {

    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();

    /**
     * When u1's session (T0 to T0 + 30 s) closes: its end + gap 30 + lateness 5 + one window,
     * rounded up to the window.
     */
    private static final long CLOSE = T0 + 37 * MINUTE;

    @Test
    void aSessionStoredWithContentsAsStringsClosesAfterTheRestoreWithThemCounted()
            throws Exception {
        OperatorSubtaskState written;
        try (var writer =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new StringLayoutWriter(), (Integer bucket) -> bucket, Types.INT)) {
            writer.setStateBackend(new EmbeddedRocksDBStateBackend());
            writer.open();
            writer.processElement(0, T0);
            written = writer.snapshot(1, 1);
        }

        var builder =
                SessionBuilderTest.harness(written, 30 * MINUTE, 5 * MINUTE, MINUTE, 1_000, true);
        try {
            builder.processWatermark(CLOSE);

            assertThat(builder.extractOutputValues())
                    .extracting(UserSession::describe)
                    .containsExactly(
                            "u1 "
                                    + T0
                                    + ".."
                                    + (T0 + 30_000)
                                    + " downloads=3 failed=1 sizeMb=200 contents=2"
                                    + " regions=EU,US devices=phone");
        } finally {
            builder.close();
        }
    }

    /**
     * The builder's state as a version before fingerprints left it: u1's open session (its sums),
     * one fragment with its sets as strings, u1 listed for the close, and the bucket's timer.
     */
    private static final class StringLayoutWriter extends AbstractStreamOperator<Void>
            implements OneInputStreamOperator<Integer, Void>, Triggerable<Integer, VoidNamespace> {

        @Override
        @SuppressWarnings("unchecked")
        public void processElement(StreamRecord<Integer> bucket) throws Exception {
            getPartitionedState(
                            new MapStateDescriptor<>(
                                    "open-sessions",
                                    StringSerializer.INSTANCE,
                                    StringLayout.INSTANCE))
                    .put("u1", new Old[] {new Old(new String[0], new String[0], new String[0])});
            var fragments =
                    (InternalListState<Integer, String, Old[]>)
                            getOrCreateKeyedState(
                                    StringSerializer.INSTANCE,
                                    new ListStateDescriptor<>(
                                            "session-fragments", StringLayout.INSTANCE));
            fragments.setCurrentNamespace("u1");
            fragments.add(
                    new Old[] {
                        new Old(
                                new String[] {"mov_b", "mov_a"},
                                new String[] {"EU", "US"},
                                new String[] {"phone"})
                    });
            DataOutputSerializer listed = new DataOutputSerializer(16);
            SessionsSerializer.writeString("u1", listed);
            getPartitionedState(
                            new MapStateDescriptor<>(
                                    "due-users",
                                    LongSerializer.INSTANCE,
                                    BytePrimitiveArraySerializer.INSTANCE))
                    .put(CLOSE, listed.getCopyOfBuffer());
            getPartitionedState(new ValueStateDescriptor<>("timer", Types.LONG)).update(CLOSE);
            getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this)
                    .registerEventTimeTimer(VoidNamespace.INSTANCE, CLOSE);
        }

        @Override
        public void onEventTime(InternalTimer<Integer, VoidNamespace> timer) {}

        @Override
        public void onProcessingTime(InternalTimer<Integer, VoidNamespace> timer) {}
    }

    /** A session as the layout with strings held it: T0 to T0 + 30 s, 3 downloads, 1 failed. */
    private record Old(String[] contents, String[] regions, String[] devices) {}

    /** Writes the layout before fingerprints, with the snapshot that layout's state carries. */
    private static final class StringLayout extends TypeSerializerSingleton<Old[]> {

        static final StringLayout INSTANCE = new StringLayout();

        @Override
        public void serialize(Old[] sessions, DataOutputView out) throws IOException {
            SessionsSerializer.writeVarLong(sessions.length, out);
            for (Old s : sessions) {
                out.writeLong(T0);
                SessionsSerializer.writeVarLong(30_000, out);
                SessionsSerializer.writeVarLong(3, out);
                SessionsSerializer.writeVarLong(1, out);
                SessionsSerializer.writeVarLong(200, out);
                strings(s.contents(), out);
                strings(s.regions(), out);
                strings(s.devices(), out);
            }
        }

        private static void strings(String[] strings, DataOutputView out) throws IOException {
            SessionsSerializer.writeVarLong(strings.length, out);
            for (String s : strings) {
                SessionsSerializer.writeString(s, out);
            }
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public TypeSerializerSnapshot<Old[]> snapshotConfiguration() {
            return (TypeSerializerSnapshot)
                    new SessionsSerializer.Snapshot(SessionsSerializer.Snapshot.STRING_CONTENTS);
        }

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public Old[] createInstance() {
            return new Old[0];
        }

        @Override
        public Old[] copy(Old[] from) {
            return from;
        }

        @Override
        public Old[] copy(Old[] from, Old[] reuse) {
            return from;
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public Old[] deserialize(DataInputView in) {
            throw new UnsupportedOperationException("only written");
        }

        @Override
        public Old[] deserialize(Old[] reuse, DataInputView in) {
            throw new UnsupportedOperationException("only written");
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) {
            throw new UnsupportedOperationException("only written");
        }
    }
}
