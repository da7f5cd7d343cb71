package com.streampulse.job.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.Download;
import com.streampulse.job.records.Download.Status;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gap 30 minutes, lateness 5 minutes, 1-minute windows: a session closes 36 minutes after it ends.
 * The input is what the pre-aggregator sends: one partial per user and window, here mostly of one
 * download, in a batch of its bucket. All users share one bucket here, the case where they share a
 * key, a due list and a timer.
 */
class SessionBuilderTest {

    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
    private static final int ROOM_FOR_ALL = 1_000;

    /** The builder's states, as a test reads them. */
    private static final MapStateDescriptor<String, Session[]> OPEN =
            new MapStateDescriptor<>(
                    "open-sessions", StringSerializer.INSTANCE, SessionsSerializer.INSTANCE);

    private static final ListStateDescriptor<Session[]> FRAGMENTS =
            new ListStateDescriptor<>("session-fragments", SessionsSerializer.INSTANCE);

    private KeyedOneInputStreamOperatorTestHarness<Integer, SessionBatch, UserSession> h;

    private boolean onRocksDb;

    @BeforeEach
    void openHarness() throws Exception {
        h = harness(null);
    }

    @AfterEach
    void closeHarness() throws Exception {
        h.close();
    }

    @Test
    void eventsCloserThanTheGapAreOneSessionWrittenWhenItCanNoLongerGrow() throws Exception {
        event("u1", 0, "a", "EU", "phone", true);
        event("u1", 10, "b", "EU", "tv", false);
        event("u1", 41, "a", "US", "phone", true);
        h.processWatermark(at(10 + 36) - 1);
        assertThat(rows()).isEmpty();
        // 10:10 + 36 min: nothing accepted now can reach the first session; then the second.
        h.processWatermark(at(10 + 36));
        assertThat(rows()).hasSize(1);
        h.processWatermark(at(41 + 36));
        assertThat(rows())
                .containsExactly(
                        session("u1", 0, 10, "downloads=2 failed=1 sizeMb=100 contents=2")
                                + " regions=EU devices=phone,tv",
                        session("u1", 41, 41, "downloads=1 failed=0 sizeMb=100 contents=1")
                                + " regions=US devices=phone");
        assertThat(h.numKeyedStateEntries()).isZero();
    }

    @Test
    void aLateEventBridgingTwoSessionsMergesThem() throws Exception {
        event("u1", 0, "a", "EU", "phone", true);
        event("u1", 33, "b", "EU", "phone", true);
        h.processWatermark(at(34));
        // Late but within the lateness (its window 10:29 closes for good at 10:35), and
        // within 30 min of both: one session from 10:00 to 10:33.
        event("u1", 29, "c", "US", "tv", true);
        h.processWatermark(at(33 + 36));
        assertThat(rows())
                .containsExactly(
                        session("u1", 0, 33, "downloads=3 failed=0 sizeMb=300 contents=3")
                                + " regions=EU,US devices=phone,tv");
    }

    @Test
    void usersAreIndependentAndARestoredRunWritesTheSameRows() throws Exception {
        event("u1", 0, "a", "EU", "phone", true);
        event("u2", 5, "a", "EU", "phone", false);
        event("u1", 20, "b", "EU", "phone", true);
        h.processWatermark(at(30));
        assertThat(rows()).isEmpty();

        restartFromSnapshot();
        assertThat(h.numEventTimeTimers()).as("one per bucket").isEqualTo(1);
        event("u2", 40, "c", "US", "tv", true);
        h.processWatermark(at(80));
        assertThat(rows())
                .containsExactlyInAnyOrder(
                        session("u1", 0, 20, "downloads=2 failed=0 sizeMb=200 contents=2")
                                + " regions=EU devices=phone",
                        session("u2", 5, 5, "downloads=1 failed=1 sizeMb=0 contents=1")
                                + " regions=EU devices=phone",
                        session("u2", 40, 40, "downloads=1 failed=0 sizeMb=100 contents=1")
                                + " regions=US devices=tv");
        h.processWatermark(at(200));
        assertThat(rows()).as("each written once").hasSize(3);
    }

    @Test
    void aLatePartialBridgingTwoSessionsAfterARestoreMergesThemWithExactDistinctContent()
            throws Exception {
        bridgeTwoSessionsAfterARestore();
    }

    @Test
    void onRocksDbALatePartialBridgingTwoSessionsAfterARestoreMergesThem() throws Exception {
        h.close();
        onRocksDb = true;
        h = harness(null);
        bridgeTwoSessionsAfterARestore();
    }

    private void bridgeTwoSessionsAfterARestore() throws Exception {
        // Minute 0, from two pre-aggregators (or two flushes of one): content a twice.
        send(partial("u1", download("u1", 0, "a", "EU", "phone", true)));
        send(
                partial(
                        "u1",
                        download("u1", 0, "a", "EU", "phone", false),
                        download("u1", 0, "b", "EU", "tv", true)));
        send(partial("u1", download("u1", 33, "b", "US", "phone", true)));
        h.processWatermark(at(22));
        assertThat(rows()).as("10:00 and 10:33 are a gap apart: two open sessions").isEmpty();

        restartFromSnapshot();
        // Window 10:17 is late but within the lateness (closes for good at 10:23), and within the
        // gap of both sessions: one session from 10:00 to 10:33.
        send(
                partial(
                        "u1",
                        download("u1", 17, "c", "EU", "tv", true),
                        download("u1", 17, "a", "EU", "tv", true)));
        h.processWatermark(at(33 + 36) - 1);
        assertThat(rows()).isEmpty();
        h.processWatermark(at(33 + 36));
        assertThat(rows())
                .containsExactly(
                        session("u1", 0, 33, "downloads=6 failed=1 sizeMb=500 contents=3")
                                + " regions=EU,US devices=phone,tv");
        // (The harness counts state entries on the heap only.)
        assertThat(stored("u1")).isNull();
        assertThat(fragments("u1")).isEmpty();
    }

    @Test
    void partialsWaitInMemoryUntilACheckpointStoresThem() throws Exception {
        event("u1", 0, "a", "EU", "phone", true);
        event("u2", 1, "a", "EU", "phone", true);
        event("u1", 1, "b", "EU", "phone", true);
        h.processWatermark(at(2));
        assertThat(h.numKeyedStateEntries()).as("nothing stored yet").isZero();

        checkpoint(h);
        // The bucket's open sessions, due lists and timer, and each user's fragments.
        assertThat(h.numKeyedStateEntries()).isEqualTo(5);
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
    }

    @Test
    void aStoredSessionKeepsItsSumsWithoutItsSetsWhichAreAppendedOncePerFlush() throws Exception {
        event("u1", 0, "a", "EU", "phone", true);
        event("u1", 0, "b", "EU", "phone", true);
        checkpoint(h);
        event("u1", 1, "a", "US", "tv", false);
        checkpoint(h);
        assertThat(stored("u1")).singleElement().extracting(s -> s.downloads).isEqualTo(3L);
        assertThat(stored("u1")[0].contents).isEmpty();
        assertThat(stored("u1")[0].regions).isEmpty();
        assertThat(stored("u1")[0].devices).isEmpty();
        assertThat(fragments("u1"))
                .as("each flush's pending sessions, as they were")
                .extracting(f -> contents(f[0]) + " " + f[0].devices[0])
                .containsExactly("a,b phone", "a tv");

        h.processWatermark(at(1 + 36));
        assertThat(rows())
                .containsExactly(
                        session("u1", 0, 1, "downloads=3 failed=1 sizeMb=200 contents=2")
                                + " regions=EU,US devices=phone,tv");
        assertThat(h.numKeyedStateEntries()).isZero();
    }

    @Test
    void sessionsStoredWithTheirSetsByAnOlderVersionKeepThem() throws Exception {
        event("u1", 0, "a", "EU", "phone", true);
        event("u2", 0, "a", "EU", "phone", true);
        checkpoint(h);
        // What a savepoint of the version before this one holds: the sets in the entry, no
        // fragments.
        for (String user : List.of("u1", "u2")) {
            Session withSets = Session.copyOf(stored(user)[0]);
            withSets.contents = new long[] {Session.fingerprint("a")};
            withSets.regions = new String[] {"EU"};
            withSets.devices = new String[] {"phone"};
            open().put(user, new Session[] {withSets});
            fragmentState(user).clear();
        }
        restartFromSnapshot();

        event("u1", 10, "b", "US", "tv", true); // u1's entry is rewritten, u2's only read
        h.processWatermark(at(10 + 36));
        assertThat(rows())
                .containsExactly(
                        session("u2", 0, 0, "downloads=1 failed=0 sizeMb=100 contents=1")
                                + " regions=EU devices=phone",
                        session("u1", 0, 10, "downloads=2 failed=0 sizeMb=200 contents=2")
                                + " regions=EU,US devices=phone,tv");
        assertThat(h.numKeyedStateEntries()).isZero();
    }

    @Test
    void aClosingSessionLeavesTheFragmentsOfItsUsersLaterOneJoined() throws Exception {
        event("u1", 0, "a", "EU", "phone", true);
        checkpoint(h);
        event("u1", 40, "b", "US", "tv", true);
        checkpoint(h);
        event("u1", 41, "c", "US", "tv", true);
        checkpoint(h);
        assertThat(fragments("u1")).hasSize(3);

        h.processWatermark(at(36));
        assertThat(rows())
                .containsExactly(
                        session("u1", 0, 0, "downloads=1 failed=0 sizeMb=100 contents=1")
                                + " regions=EU devices=phone");
        assertThat(fragments("u1"))
                .as("the open session's, read anyway, written back as one")
                .singleElement()
                .extracting(f -> contents(f[0]))
                .isEqualTo("b,c");
        h.processWatermark(at(41 + 36));
        assertThat(rows()).hasSize(2);
        assertThat(rows().get(1)).contains("contents=2 regions=US");
        assertThat(h.numKeyedStateEntries()).isZero();
    }

    @Test
    void aFullBufferStoresEveryPendingUser() throws Exception {
        h.close();
        h = harness(null, 30 * MINUTE, 5 * MINUTE, MINUTE, 2);
        event("u1", 0, "a", "EU", "phone", true);
        event("u1", 1, "b", "EU", "phone", true);
        assertThat(h.numKeyedStateEntries()).as("one user buffered").isZero();
        event("u2", 1, "a", "EU", "phone", true);
        assertThat(h.numKeyedStateEntries())
                .as(
                        "two users: the buffer is full; the bucket's three entries and two users'"
                                + " fragments")
                .isEqualTo(5);
        event("u3", 2, "a", "EU", "phone", true);
        assertThat(h.numKeyedStateEntries()).isEqualTo(5);
        h.processWatermark(at(38));
        assertThat(rows())
                .containsExactly(
                        session("u1", 0, 1, "downloads=2 failed=0 sizeMb=200 contents=2")
                                + " regions=EU devices=phone",
                        session("u2", 1, 1, "downloads=1 failed=0 sizeMb=100 contents=1")
                                + " regions=EU devices=phone",
                        session("u3", 2, 2, "downloads=1 failed=0 sizeMb=100 contents=1")
                                + " regions=EU devices=phone");
    }

    @Test
    void aPendingPartialExtendsAStoredSessionWhoseCloseIsDue() throws Exception {
        event("u1", 0, "a", "EU", "phone", true);
        checkpoint(h);
        // Stored and listed to close at 10:36; this extension waits in memory.
        event("u1", 29, "b", "US", "tv", true);
        h.processWatermark(at(36));
        assertThat(rows()).as("the timer at 10:36 sees the pending partial").isEmpty();
        h.processWatermark(at(29 + 36));
        assertThat(rows())
                .containsExactly(
                        session("u1", 0, 29, "downloads=2 failed=0 sizeMb=200 contents=2")
                                + " regions=EU,US devices=phone,tv");
        assertThat(h.numKeyedStateEntries()).isZero();
    }

    @Test
    void unionOfSortedArraysIsSortedAndDistinct() {
        assertThat(Session.union(new String[] {"a", "c", "d"}, new String[] {"b", "c", "e"}))
                .containsExactly("a", "b", "c", "d", "e");
        assertThat(Session.union(new String[0], new String[] {"x"})).containsExactly("x");
        assertThat(Session.union(new long[] {-5, 1, 7}, new long[] {-9, 1, 8}))
                .containsExactly(-9, -5, 1, 7, 8);
        assertThat(Session.union(new long[0], new long[] {3})).containsExactly(3);
    }

    @Test
    void insertingIntoASortedArrayKeepsItSortedAndDistinct() {
        long[] one = Session.with(Session.NO_CONTENTS, 7);
        long[] two = Session.with(one, -3);

        assertThat(two).containsExactly(-3, 7);
        assertThat(Session.with(two, 7)).isSameAs(two);
        assertThat(Session.with(new String[] {"a", "c"}, "b")).containsExactly("a", "b", "c");
    }

    /** A session's contents among the ids these tests use, joined by commas. */
    private static String contents(Session s) {
        return String.join(",", SessionPartial.contentIds(s.contents, "a", "b", "c", "d", "e"));
    }

    private static long at(int minute) {
        return T0 + minute * MINUTE;
    }

    /** A 100 MB download by {@code user} at {@code minute} past T0, as a partial of its own. */
    private void event(
            String user, int minute, String content, String region, String device, boolean ok)
            throws Exception {
        send(partial(user, download(user, minute, content, region, device, ok)));
    }

    /** As the pre-aggregator sends it: in a batch, stamped with its window's last millisecond. */
    private void send(SessionPartial p) throws Exception {
        h.processElement(
                SessionPartial.batch(0, p), p.start - Math.floorMod(p.start, MINUTE) + MINUTE - 1);
    }

    /**
     * {@code user}'s partial of {@code downloads}: each encoded as the pre-aggregator sends it,
     * decoded as the builder reads it, and merged.
     */
    static SessionPartial partial(String user, Download... downloads) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        for (Download d : downloads) {
            assertThat(d.userId()).isEqualTo(user);
            SessionBatch.writeDownload(d, out);
        }
        SessionPartial[] each =
                SessionPartial.of(new SessionBatch(0, downloads.length, out.getCopyOfBuffer()));
        for (int i = 1; i < each.length; i++) {
            each[0].merge(each[i]);
        }
        return each[0];
    }

    /** A 100 MB download at {@code minute} past T0, successful or failed. */
    private static Download download(
            String user, int minute, String content, String region, String device, boolean ok) {
        return download(
                user,
                at(minute),
                content,
                region,
                device,
                ok ? Status.SUCCESS : Status.FAILED,
                100);
    }

    static Download download(
            String user,
            long time,
            String content,
            String region,
            String device,
            Status status,
            int sizeMb) {
        return new Download(
                time,
                content,
                "Title " + content,
                region,
                device,
                "OS 1",
                status,
                60,
                40_000_000L,
                sizeMb,
                0,
                0L,
                time,
                null,
                false,
                user);
    }

    /** The start of {@link UserSession#describe()} for a session from minute to minute. */
    private static String session(String user, int fromMinute, int toMinute, String counts) {
        return user + " " + at(fromMinute) + ".." + at(toMinute) + " " + counts;
    }

    private List<String> rows() {
        return h.extractOutputValues().stream().map(UserSession::describe).toList();
    }

    /** What a checkpoint does to the operator: the hook before the barrier, then the snapshot. */
    static OperatorSubtaskState checkpoint(
            KeyedOneInputStreamOperatorTestHarness<Integer, SessionBatch, UserSession> h)
            throws Exception {
        h.prepareSnapshotPreBarrier(1);
        return h.snapshot(1, 1);
    }

    /** Snapshots the operator, closes it and opens a fresh one from the snapshot. */
    private void restartFromSnapshot() throws Exception {
        OperatorSubtaskState snapshot = checkpoint(h);
        h.close();
        h = harness(snapshot);
    }

    /** The stored open sessions of {@code user} (of bucket 0). */
    private Session[] stored(String user) throws Exception {
        return open().get(user);
    }

    private MapState<String, Session[]> open() throws Exception {
        return backend()
                .getPartitionedState(
                        VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, OPEN);
    }

    /** The fragments stored for {@code user}, one per flush. */
    private List<Session[]> fragments(String user) throws Exception {
        List<Session[]> fragments = new ArrayList<>();
        Iterable<Session[]> stored = fragmentState(user).get();
        if (stored != null) {
            stored.forEach(fragments::add);
        }
        return fragments;
    }

    private ListState<Session[]> fragmentState(String user) throws Exception {
        return backend().getPartitionedState(user, StringSerializer.INSTANCE, FRAGMENTS);
    }

    private KeyedStateBackend<Integer> backend() {
        KeyedStateBackend<Integer> backend =
                ((SessionBuilder) h.getOperator()).getKeyedStateBackend();
        backend.setCurrentKey(0);
        return backend;
    }

    /** With room for every user's partials in memory, so only time and checkpoints flush them. */
    private KeyedOneInputStreamOperatorTestHarness<Integer, SessionBatch, UserSession> harness(
            OperatorSubtaskState restoreFrom) throws Exception {
        return harness(restoreFrom, 30 * MINUTE, 5 * MINUTE, MINUTE, ROOM_FOR_ALL, onRocksDb);
    }

    static KeyedOneInputStreamOperatorTestHarness<Integer, SessionBatch, UserSession> harness(
            OperatorSubtaskState restoreFrom,
            long gap,
            long lateness,
            long window,
            int bufferedUsers)
            throws Exception {
        return harness(restoreFrom, gap, lateness, window, bufferedUsers, false);
    }

    /**
     * @param onRocksDb on the job's state backend, where appending a fragment is a merge, instead
     *     of the heap
     */
    static KeyedOneInputStreamOperatorTestHarness<Integer, SessionBatch, UserSession> harness(
            OperatorSubtaskState restoreFrom,
            long gap,
            long lateness,
            long window,
            int bufferedUsers,
            boolean onRocksDb)
            throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new SessionBuilder(gap, lateness, window, bufferedUsers),
                        b -> b.bucket,
                        Types.INT);
        if (onRocksDb) {
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }
}
