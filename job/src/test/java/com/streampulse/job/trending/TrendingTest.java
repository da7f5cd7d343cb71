package com.streampulse.job.trending;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Both phases of trending wired as the job wires them (buckets, then rankers keyed by scope), fed
 * the pre-aggregator's partials stamped with their window's last millisecond. Windows of 3 minutes
 * sliding every minute, top 2, 5 minutes of allowed lateness.
 */
class TrendingTest {

    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
    private static final int BUCKETS = 4;

    private KeyedOneInputStreamOperatorTestHarness<Integer, TrendingBatch, Ranking> buckets;
    private KeyedOneInputStreamOperatorTestHarness<String, Ranking, TrendingRow> ranker;
    private final List<TrendingRow> rows = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        open(null, null);
    }

    /** Both phases, fresh (null) or from their snapshots. */
    private void open(OperatorSubtaskState bucketsState, OperatorSubtaskState rankerState)
            throws Exception {
        buckets =
                opened(
                        new TrendingBuckets(MINUTE, 3 * MINUTE, 5 * MINUTE, 2),
                        b -> b.bucket,
                        Types.INT,
                        bucketsState);
        ranker =
                opened(
                        new TrendingRanker(MINUTE, 3 * MINUTE, 5 * MINUTE, 2),
                        r -> r.scope,
                        Types.STRING,
                        rankerState);
    }

    @AfterEach
    void close() throws Exception {
        buckets.close();
        ranker.close();
    }

    @Test
    void ranksEveryScopeForEverySlidingWindow() throws Exception {
        partial("EU", "a", 0, 5);
        partial("EU", "b", 1, 3);
        partial("US", "b", 1, 4);
        partial("EU", "c", 2, 1);
        partial("US", "c", 3, 2);
        watermark(3 * MINUTE - 1);

        assertThat(rows)
                .containsExactlyInAnyOrder(
                        // Window ending 10:01 (09:58-10:01): only a.
                        row("EU", 1, 1, "a", 5, 0),
                        row("global", 1, 1, "a", 5, 0),
                        // 10:02: a, b.
                        row("EU", 2, 1, "a", 5, 0),
                        row("EU", 2, 2, "b", 3, 0),
                        row("US", 2, 1, "b", 4, 0),
                        row("global", 2, 1, "b", 7, 0),
                        row("global", 2, 2, "a", 5, 0),
                        // 10:03: c's 1 in EU is third, so out of the top 2; c's US download at
                        // 10:03 is in the next window.
                        row("EU", 3, 1, "a", 5, 0),
                        row("EU", 3, 2, "b", 3, 0),
                        row("US", 3, 1, "b", 4, 0),
                        row("global", 3, 1, "b", 7, 0),
                        row("global", 3, 2, "a", 5, 0));
    }

    @Test
    void lateDataChangingARankingRewritesExactlyTheRowsItChanges() throws Exception {
        partial("EU", "a", 0, 5);
        partial("EU", "b", 0, 4);
        partial("EU", "c", 0, 3);
        watermark(2 * MINUTE - 1);
        rows.clear();
        // Two late downloads of c in 10:00: c (5) ties a (5) and ranks after it ("a" < "c"),
        // taking b's second place.
        partial("EU", "c", 0, 2);
        watermark(2 * MINUTE);
        // Re-sent at the next window end, with the new window, not on every watermark.
        assertThat(rows).isEmpty();
        watermark(3 * MINUTE - 1);

        assertThat(rows)
                .containsExactlyInAnyOrder(
                        row("EU", 1, 2, "c", 5, 0),
                        // Global changes the same way.
                        row("global", 1, 2, "c", 5, 0),
                        // The window ending 10:02 (10:00-10:02) was sent on time with the
                        // same 10:00 counts; it changes too.
                        row("EU", 2, 2, "c", 5, 0),
                        row("global", 2, 2, "c", 5, 0),
                        // The new window ending 10:03 (10:00-10:03), sent for the first time.
                        row("EU", 3, 1, "a", 5, 0),
                        row("EU", 3, 2, "c", 5, 0),
                        row("global", 3, 1, "a", 5, 0),
                        row("global", 3, 2, "c", 5, 0));
    }

    @Test
    void previousWindowAndGrowth() throws Exception {
        partial("EU", "a", 0, 2);
        partial("EU", "a", 3, 5);
        watermark(4 * MINUTE - 1);
        // Window 10:01-10:04 has a's 5, the window before it (9:58-10:01) a's 2: +150 %.
        assertThat(rows).contains(row("EU", 4, 1, "a", 5, 2));
        assertThat(rows.stream().filter(r -> r.equals(row("EU", 4, 1, "a", 5, 2))).findFirst())
                .get()
                .extracting(TrendingRow::growth)
                .isEqualTo(1.5);
    }

    @Test
    void restoredMidWayBothPhasesWriteWhatAnUninterruptedRunWrites() throws Exception {
        scenarioPart1();
        scenarioPart2();
        List<TrendingRow> uninterrupted = new ArrayList<>(rows);
        close();
        rows.clear();

        open();
        scenarioPart1();
        restartFromSnapshot();
        scenarioPart2();

        // Rows of different scopes may come in another order (timers of different keys); each
        // row's key gets the same rows in the same order, so the table ends the same.
        assertThat(rows).containsExactlyInAnyOrderElementsOf(uninterrupted);
        assertThat(lastPerKey(rows)).isEqualTo(lastPerKey(uninterrupted));
    }

    @Test
    void randomTrafficWithLateDataEndsAsTheTopNOfAllCountsWithOrWithoutRestores() throws Exception {
        for (int seed = 0; seed < 6; seed++) {
            for (boolean restores : List.of(false, true)) {
                close();
                rows.clear();
                open();
                Random random = new Random(seed);
                // (region, content, minute) → downloads, everything the buckets were sent.
                Map<List<Object>, Long> sent = new HashMap<>();
                for (int m = 0; m < 20; m++) {
                    for (int i = random.nextInt(6); i > 0; i--) {
                        send(random, m, sent);
                    }
                    if (m > 0 && random.nextBoolean()) {
                        // Late, within the lateness: a window already ranked changes.
                        send(random, m - 1 - random.nextInt(Math.min(m, 4)), sent);
                    }
                    watermark((m + 1) * MINUTE - 1);
                    if (restores && random.nextInt(4) == 0) {
                        // The sums kept on the heap are lost and built again from state.
                        restartFromSnapshot();
                    }
                }
                watermark(40 * MINUTE);

                assertThat(lastPerKey(rows)).isEqualTo(topTwoOfAllCounts(sent));
            }
        }
    }

    private void send(Random random, int minute, Map<List<Object>, Long> sent) throws Exception {
        String region = List.of("EU", "US", "AS").get(random.nextInt(3));
        String content = "c" + random.nextInt(8);
        long downloads = 1 + random.nextInt(4);
        partial(region, content, minute, downloads);
        sent.merge(List.of(region, content, minute), downloads, Long::sum);
    }

    /** The table by brute force: every scope and window end, each content's sums, sorted. */
    private static Map<List<Object>, TrendingRow> topTwoOfAllCounts(Map<List<Object>, Long> sent) {
        Map<List<Object>, TrendingRow> table = new HashMap<>();
        for (String scope : List.of("global", "EU", "US", "AS")) {
            for (int end = 1; end <= 20 + 3; end++) {
                Map<String, long[]> sums = new TreeMap<>();
                for (Map.Entry<List<Object>, Long> e : sent.entrySet()) {
                    int minute = (Integer) e.getKey().get(2);
                    if (scope.equals("global") || scope.equals(e.getKey().get(0))) {
                        long[] s =
                                sums.computeIfAbsent((String) e.getKey().get(1), k -> new long[2]);
                        if (minute >= end - 3 && minute < end) {
                            s[0] += e.getValue();
                        } else if (minute >= end - 6 && minute < end - 3) {
                            s[1] += e.getValue();
                        }
                    }
                }
                List<String> ranked =
                        sums.keySet().stream()
                                .filter(c -> sums.get(c)[0] > 0)
                                .sorted(
                                        Comparator.comparing((String c) -> -sums.get(c)[0])
                                                .thenComparing(Comparator.naturalOrder()))
                                .limit(2)
                                .toList();
                for (int i = 0; i < ranked.size(); i++) {
                    long[] s = sums.get(ranked.get(i));
                    TrendingRow r = row(scope, end, i + 1, ranked.get(i), s[0], s[1]);
                    table.put(List.of(scope, r.windowEnd(), i + 1), r);
                }
            }
        }
        return table;
    }

    /** What trending_content holds after upserting {@code rows} in order. */
    private static Map<List<Object>, TrendingRow> lastPerKey(List<TrendingRow> rows) {
        Map<List<Object>, TrendingRow> table = new HashMap<>();
        rows.forEach(r -> table.put(List.of(r.scope(), r.windowEnd(), r.rank()), r));
        return table;
    }

    @Test
    void aLateChangeWaitingForTheNextWindowEndIsSentAfterARestore() throws Exception {
        partial("EU", "a", 0, 5);
        partial("EU", "b", 0, 4);
        watermark(2 * MINUTE - 1);
        rows.clear();
        // Late: two more of b in 10:01, after the window ending 10:02 was sent.
        partial("EU", "b", 1, 2);
        watermark(2 * MINUTE);
        assertThat(rows).isEmpty();

        restartFromSnapshot();
        watermark(3 * MINUTE - 1);

        assertThat(rows)
                .containsExactlyInAnyOrder(
                        // 10:02 (09:59-10:02): b overtakes a; the window ending 10:01 does not
                        // hold 10:01 and is not written again.
                        row("EU", 2, 1, "b", 6, 0),
                        row("EU", 2, 2, "a", 5, 0),
                        row("global", 2, 1, "b", 6, 0),
                        row("global", 2, 2, "a", 5, 0),
                        // 10:03 (10:00-10:03), sent for the first time.
                        row("EU", 3, 1, "b", 6, 0),
                        row("EU", 3, 2, "a", 5, 0),
                        row("global", 3, 1, "b", 6, 0),
                        row("global", 3, 2, "a", 5, 0));
    }

    @Test
    void stateIsForgottenOnceNoWindowCanCountIt() throws Exception {
        partial("EU", "a", 0, 5);
        watermark(MINUTE - 1);
        assertThat(buckets.numKeyedStateEntries()).isPositive();
        // 2 × 3 minutes of windows + 5 of lateness after the last data, everything is gone.
        watermark(20 * MINUTE);
        assertThat(ranker.numKeyedStateEntries()).isZero();
        assertThat(buckets.numKeyedStateEntries()).isZero();
    }

    /** Both phases snapshotted, closed and restored, as after a failure. */
    private void restartFromSnapshot() throws Exception {
        OperatorSubtaskState b = buckets.snapshot(1, 1);
        OperatorSubtaskState r = ranker.snapshot(1, 1);
        close();
        open(b, r);
    }

    private void scenarioPart1() throws Exception {
        for (int m = 0; m < 6; m++) {
            partial("EU", "a", m, 3);
            partial("EU", "b", m, m);
            partial("US", "c", m, 10 - m);
            watermark((m + 1) * MINUTE - 1);
        }
    }

    private void scenarioPart2() throws Exception {
        partial("EU", "b", 4, 5);
        partial("US", "d", 5, 20);
        for (int m = 6; m < 12; m++) {
            partial("EU", "d", m, 1);
            watermark((m + 1) * MINUTE - 1);
        }
    }

    private void partial(String region, String content, int minute, long downloads)
            throws Exception {
        long start = T0 + minute * MINUTE;
        MinuteCounts.Builder counts = new MinuteCounts.Builder();
        counts.add(region, content, "Title " + content, downloads);
        buckets.processElement(
                new TrendingBatch(TrendingBuckets.bucket(content, BUCKETS), start, counts.build()),
                start + MINUTE - 1);
    }

    /** The watermark through both phases, with what phase one sent in between. */
    private void watermark(long sinceT0) throws Exception {
        buckets.processWatermark(T0 + sinceT0);
        for (Ranking r : buckets.extractOutputValues()) {
            ranker.processElement(r, 0);
        }
        buckets.getOutput().clear();
        ranker.processWatermark(T0 + sinceT0);
        rows.addAll(ranker.extractOutputValues());
        ranker.getOutput().clear();
    }

    private static TrendingRow row(
            String scope, int endMinute, int rank, String content, long downloads, long previous) {
        long end = T0 + endMinute * MINUTE;
        return new TrendingRow(
                scope,
                end - 3 * MINUTE,
                end,
                rank,
                content,
                "Title " + content,
                downloads,
                previous,
                previous == 0 ? null : (double) (downloads - previous) / previous);
    }

    private static <K, I, O> KeyedOneInputStreamOperatorTestHarness<K, I, O> opened(
            KeyedProcessFunction<K, I, O> function,
            KeySelector<I, K> key,
            TypeInformation<K> keyType,
            OperatorSubtaskState restored)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<K, I, O> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(function), key, keyType);
        if (restored != null) {
            harness.initializeState(restored);
        }
        harness.open();
        return harness;
    }
}
