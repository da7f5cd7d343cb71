package com.streampulse.job.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Gap 30 minutes, lateness 5 minutes, 1-minute windows: a session closes 36 minutes after it ends.
 */
class SessionBuilderTest {

    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();

    @Test
    void eventsCloserThanTheGapAreOneSessionWrittenWhenItCanNoLongerGrow() throws Exception {
        try (var h = harness()) {
            event(h, "u1", 0, "a", "EU", "phone", true);
            event(h, "u1", 10, "b", "EU", "tv", false);
            event(h, "u1", 41, "a", "US", "phone", true);
            h.processWatermark(T0 + 10 * MINUTE + 36 * MINUTE - 1);
            assertThat(rows(h)).isEmpty();
            // 10:10 + 36 min: nothing accepted now can reach the first session; then the second.
            h.processWatermark(T0 + 10 * MINUTE + 36 * MINUTE);
            assertThat(rows(h)).hasSize(1);
            h.processWatermark(T0 + 41 * MINUTE + 36 * MINUTE);
            assertThat(rows(h))
                    .containsExactly(
                            "u1 "
                                    + T0
                                    + ".."
                                    + (T0 + 10 * MINUTE)
                                    + " downloads=2 failed=1 sizeMb=100 contents=2 regions=EU"
                                    + " devices=phone,tv",
                            "u1 "
                                    + (T0 + 41 * MINUTE)
                                    + ".."
                                    + (T0 + 41 * MINUTE)
                                    + " downloads=1 failed=0 sizeMb=100 contents=1 regions=US"
                                    + " devices=phone");
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aLateEventBridgingTwoSessionsMergesThem() throws Exception {
        try (var h = harness()) {
            event(h, "u1", 0, "a", "EU", "phone", true);
            event(h, "u1", 33, "b", "EU", "phone", true);
            h.processWatermark(T0 + 34 * MINUTE);
            // Late but within the lateness (its window 10:29 closes for good at 10:35), and
            // within 30 min of both: one session from 10:00 to 10:33.
            event(h, "u1", 29, "c", "US", "tv", true);
            h.processWatermark(T0 + 33 * MINUTE + 36 * MINUTE);
            assertThat(rows(h))
                    .containsExactly(
                            "u1 "
                                    + T0
                                    + ".."
                                    + (T0 + 33 * MINUTE)
                                    + " downloads=3 failed=0 sizeMb=300 contents=3 regions=EU,US"
                                    + " devices=phone,tv");
        }
    }

    @Test
    void usersAreIndependentAndARestoredRunWritesTheSameRows() throws Exception {
        OperatorSubtaskState snapshot;
        List<String> before;
        try (var h = harness()) {
            event(h, "u1", 0, "a", "EU", "phone", true);
            event(h, "u2", 5, "a", "EU", "phone", false);
            event(h, "u1", 20, "b", "EU", "phone", true);
            h.processWatermark(T0 + 30 * MINUTE);
            snapshot = h.snapshot(1, 1);
            before = rows(h);
        }
        assertThat(before).isEmpty();
        try (var h = unopenedHarness()) {
            h.initializeState(snapshot);
            h.open();
            event(h, "u2", 40, "c", "US", "tv", true);
            h.processWatermark(T0 + 80 * MINUTE);
            assertThat(rows(h))
                    .containsExactlyInAnyOrder(
                            "u1 "
                                    + T0
                                    + ".."
                                    + (T0 + 20 * MINUTE)
                                    + " downloads=2 failed=0 sizeMb=200 contents=2 regions=EU"
                                    + " devices=phone",
                            "u2 "
                                    + (T0 + 5 * MINUTE)
                                    + ".."
                                    + (T0 + 5 * MINUTE)
                                    + " downloads=1 failed=1 sizeMb=0 contents=1 regions=EU"
                                    + " devices=phone",
                            "u2 "
                                    + (T0 + 40 * MINUTE)
                                    + ".."
                                    + (T0 + 40 * MINUTE)
                                    + " downloads=1 failed=0 sizeMb=100 contents=1 regions=US"
                                    + " devices=tv");
            h.processWatermark(T0 + 200 * MINUTE);
            assertThat(rows(h)).as("each written once").hasSize(3);
        }
    }

    @Test
    void unionOfSortedArraysIsSortedAndDistinct() {
        assertThat(Session.union(new String[] {"a", "c", "d"}, new String[] {"b", "c", "e"}))
                .containsExactly("a", "b", "c", "d", "e");
        assertThat(Session.union(new String[0], new String[] {"x"})).containsExactly("x");
    }

    private static void event(
            KeyedOneInputStreamOperatorTestHarness<String, SessionEvent, UserSession> h,
            String user,
            int minute,
            String content,
            String region,
            String device,
            boolean ok)
            throws Exception {
        long t = T0 + minute * MINUTE;
        h.processElement(new SessionEvent(user, t, content, region, device, ok, !ok, 100), t);
    }

    private static List<String> rows(
            KeyedOneInputStreamOperatorTestHarness<String, SessionEvent, UserSession> h) {
        return h.extractOutputValues().stream().map(UserSession::describe).toList();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SessionEvent, UserSession>
            harness() throws Exception {
        var h = unopenedHarness();
        h.open();
        return h;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SessionEvent, UserSession>
            unopenedHarness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new SessionBuilder(30 * MINUTE, 5 * MINUTE, MINUTE)),
                SessionEvent::userId,
                Types.STRING);
    }
}
