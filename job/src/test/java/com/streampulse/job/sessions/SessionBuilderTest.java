package com.streampulse.job.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gap 30 minutes, lateness 5 minutes, 1-minute windows: a session closes 36 minutes after it ends.
 */
class SessionBuilderTest {

    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();

    private KeyedOneInputStreamOperatorTestHarness<String, SessionEvent, UserSession> h;

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
    void unionOfSortedArraysIsSortedAndDistinct() {
        assertThat(Session.union(new String[] {"a", "c", "d"}, new String[] {"b", "c", "e"}))
                .containsExactly("a", "b", "c", "d", "e");
        assertThat(Session.union(new String[0], new String[] {"x"})).containsExactly("x");
    }

    private static long at(int minute) {
        return T0 + minute * MINUTE;
    }

    /** A 100 MB download by {@code user} at {@code minute} past T0. */
    private void event(
            String user, int minute, String content, String region, String device, boolean ok)
            throws Exception {
        h.processElement(
                new SessionEvent(user, at(minute), content, region, device, ok, !ok, 100),
                at(minute));
    }

    /** The start of {@link UserSession#describe()} for a session from minute to minute. */
    private static String session(String user, int fromMinute, int toMinute, String counts) {
        return user + " " + at(fromMinute) + ".." + at(toMinute) + " " + counts;
    }

    private List<String> rows() {
        return h.extractOutputValues().stream().map(UserSession::describe).toList();
    }

    /** Snapshots the operator, closes it and opens a fresh one from the snapshot. */
    private void restartFromSnapshot() throws Exception {
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();
        h = harness(snapshot);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SessionEvent, UserSession>
            harness(OperatorSubtaskState restoreFrom) throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new SessionBuilder(30 * MINUTE, 5 * MINUTE, MINUTE)),
                        SessionEvent::userId,
                        Types.STRING);
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }
}
