package com.streampulse.job.aggregate;

import static com.streampulse.job.records.Downloads.fields;
import static com.streampulse.job.records.Downloads.withUserId;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.Download;
import com.streampulse.job.records.Download.Status;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.records.WindowCounts.Dimension;
import com.streampulse.job.sessions.SessionBatch;
import com.streampulse.job.sessions.SessionPartial;
import com.streampulse.job.trending.MinuteCounts;
import com.streampulse.job.trending.TrendingBatch;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PreAggregatorTest {

    private static final long MINUTE = 60_000;
    private static final int BUCKETS = 8;

    /** Window [10:00, 10:01) and its last millisecond. */
    private static final long TEN = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();

    private static final long TEN_LAST = TEN + MINUTE - 1;
    private static final long TEN_ONE = TEN + MINUTE;

    private OneInputStreamOperatorTestHarness<Download, WindowCounts> harness;
    private long nextOffset;

    @BeforeEach
    void open() throws Exception {
        harness = harness(1_000);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void partialsLeaveWhenTheWatermarkReachesTheWindowsLastMillisecond() throws Exception {
        send(event(TEN + 1_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        send(event(TEN + 2_000, "mov_a", "EU-Berlin", Status.FAILED, 200));
        send(event(TEN + 59_999, "mov_b", "US-Ohio", Status.SUCCESS, 300));
        send(event(TEN_ONE, "mov_a", "EU-Berlin", Status.SUCCESS, 400)); // next window

        harness.processWatermark(TEN_LAST - 1);
        assertThat(side(Dimension.CONTENT)).isEmpty();

        harness.processWatermark(TEN_LAST);

        // Partials of one window leave in hash order.
        assertThat(side(Dimension.CONTENT))
                .containsExactlyInAnyOrder(
                        "mov_a|Title mov_a|" + TEN + "|2|1|1|20|20000000|100 @" + TEN_LAST,
                        "mov_b|Title mov_b|" + TEN + "|1|1|0|10|10000000|300 @" + TEN_LAST);
        assertThat(side(Dimension.REGION))
                .containsExactlyInAnyOrder(
                        "EU-Berlin||" + TEN + "|2|1|1|20|20000000|100 @" + TEN_LAST,
                        "US-Ohio||" + TEN + "|1|1|0|10|10000000|300 @" + TEN_LAST);
        assertThat(side(Dimension.DEVICE))
                .containsExactly(
                        "Pixel 9|Android 15|" + TEN + "|3|2|1|30|30000000|400 @" + TEN_LAST);
        // The partials go out before the watermark that closes their window.
        assertThat(harness.getOutput()).last().isEqualTo(new Watermark(TEN_LAST));

        harness.processWatermark(TEN_ONE + MINUTE - 1);

        assertThat(side(Dimension.CONTENT))
                .hasSize(3)
                .contains(
                        "mov_a|Title mov_a|"
                                + TEN_ONE
                                + "|1|1|0|10|10000000|400 @"
                                + (TEN_ONE + MINUTE - 1));
    }

    @Test
    void everyPartialIsFlushedBeforeACheckpointBarrier() throws Exception {
        send(event(TEN + 1_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        send(event(TEN_ONE + 1_000, "mov_a", "EU-Berlin", Status.CANCELLED, 50));

        harness.prepareSnapshotPreBarrier(1);

        // Both windows, though neither has closed: nothing is held across the checkpoint.
        assertThat(side(Dimension.CONTENT))
                .containsExactly(
                        "mov_a|Title mov_a|" + TEN + "|1|1|0|10|10000000|100 @" + TEN_LAST,
                        "mov_a|Title mov_a|"
                                + TEN_ONE
                                + "|1|0|0|10|10000000|0 @"
                                + (TEN_ONE + MINUTE - 1));

        // A later event in the same window leaves as a second partial; the windows sum them.
        send(event(TEN + 2_000, "mov_a", "EU-Berlin", Status.FAILED, 100));
        harness.processWatermark(TEN_LAST);

        assertThat(side(Dimension.CONTENT))
                .hasSize(3)
                .last()
                .isEqualTo("mov_a|Title mov_a|" + TEN + "|1|0|1|10|10000000|0 @" + TEN_LAST);
    }

    @Test
    void eventExactlyOnAWindowBoundaryBelongsToTheLaterWindow() throws Exception {
        send(event(TEN_ONE, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        send(event(TEN_LAST, "mov_a", "EU-Berlin", Status.SUCCESS, 100));

        harness.processWatermark(TEN_LAST);

        assertThat(side(Dimension.REGION))
                .containsExactly("EU-Berlin||" + TEN + "|1|1|0|10|10000000|100 @" + TEN_LAST);
    }

    @Test
    void tooManyBufferedKeysAreFlushedEarly() throws Exception {
        harness.close();
        // One event buffers three keys (content, region, device).
        harness = harness(5);
        harness.open();

        send(event(TEN + 1, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        assertThat(side(Dimension.CONTENT)).isEmpty();
        send(event(TEN + 2, "mov_b", "EU-Paris", Status.SUCCESS, 100)); // 5 keys

        assertThat(side(Dimension.CONTENT)).hasSize(2);
        assertThat(side(Dimension.REGION)).hasSize(2);
        assertThat(side(Dimension.DEVICE)).hasSize(1);
    }

    @Test
    void trendingPairsAreCappedOnTheirOwnAndNeverFlushTheStatsEarly() throws Exception {
        harness.close();
        harness = new OneInputStreamOperatorTestHarness<>(new PreAggregator(MINUTE, 8, 4));
        harness.open();
        // 3 contents × 3 regions: 7 stats keys (with the one device), 9 trending pairs.
        List<String> contents = List.of("mov_a", "mov_b", "mov_c");
        List<String> regions = List.of("EU-Berlin", "EU-Paris", "US-Ohio");
        for (int i = 0; i < 8; i++) {
            send(event(TEN + i, contents.get(i % 3), regions.get(i / 3), Status.SUCCESS, 1));
        }

        assertThat(side(Dimension.CONTENT)).isEmpty();
        List<StreamRecord<TrendingBatch>> batches = new ArrayList<>();
        harness.getSideOutput(PreAggregator.TRENDING).forEach(batches::add);
        assertThat(batches).allSatisfy(b -> assertThat(b.getTimestamp()).isEqualTo(TEN_LAST));
        assertThat(batches.stream().mapToInt(b -> b.getValue().counts.entries()).sum())
                .isEqualTo(8);
    }

    @Test
    void lateTrendingPartialsWaitForTheNextWindowEndButNotPastTheLateness() throws Exception {
        harness.close();
        // Lateness 90 s, not a multiple of the window, so its end falls between window ends.
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new PreAggregator(MINUTE, 1_000, BUCKETS, 0, 90_000));
        harness.open();
        long tenTwo = TEN_ONE + MINUTE;
        send(event(TEN + 1_000, "mov_a", "EU-Berlin", Status.SUCCESS, 1));
        harness.processWatermark(TEN_LAST);
        assertThat(trending()).containsExactly("mov_a EU-Berlin 1 @" + TEN_LAST);

        // Late for [10:00, 10:01): its stats partial leaves at the next watermark, its trending
        // partial at the next window end, in one batch with the next late one.
        send(event(TEN + 2_000, "mov_a", "EU-Berlin", Status.SUCCESS, 1));
        harness.processWatermark(TEN_LAST + 10_000);
        assertThat(side(Dimension.CONTENT)).hasSize(2);
        assertThat(trending()).hasSize(1);
        send(event(TEN + 3_000, "mov_b", "EU-Paris", Status.SUCCESS, 1));
        send(event(TEN_ONE + 5_000, "mov_a", "US-Ohio", Status.SUCCESS, 1));
        harness.processWatermark(TEN_ONE + MINUTE - 2);
        assertThat(trending()).hasSize(1);

        harness.processWatermark(TEN_ONE + MINUTE - 1);
        // Windows in order; a window's batches in bucket order.
        assertThat(trending().subList(1, 3))
                .containsExactlyInAnyOrder(
                        "mov_a EU-Berlin 1 @" + TEN_LAST, "mov_b EU-Paris 1 @" + TEN_LAST);
        assertThat(trending()).hasSize(4).last().isEqualTo("mov_a US-Ohio 1 @" + (tenTwo - 1));
        // The partials go out before the watermark at the window end.
        assertThat(harness.getOutput()).last().isEqualTo(new Watermark(tenTwo - 1));

        // [10:01, 10:02) gets a download after 10:03: its lateness ends at 10:03:30, before the
        // next window end (10:04), so its partial leaves then.
        harness.processWatermark(tenTwo + MINUTE - 1);
        send(event(TEN_ONE + 6_000, "mov_c", "EU-Berlin", Status.SUCCESS, 1));
        harness.processWatermark(tenTwo + 90_000 - 2);
        assertThat(trending()).hasSize(4);
        harness.processWatermark(tenTwo + 90_000 - 1);
        assertThat(trending()).hasSize(5).last().isEqualTo("mov_c EU-Berlin 1 @" + (tenTwo - 1));
        assertThat(harness.getOutput()).last().isEqualTo(new Watermark(tenTwo + 90_000 - 1));
    }

    @Test
    void everyDownloadLeavesForSessionsWithItsWindowInItsUsersBucket() throws Exception {
        harness.close();
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new PreAggregator(MINUTE, 1_000, 0, BUCKETS));
        harness.open();
        send(withUserId(event(TEN + 1_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100), "u1"));
        send(withUserId(event(TEN + 5_000, "mov_b", "EU-Berlin", Status.FAILED, 100), "u1"));
        send(withUserId(event(TEN + 9_000, "mov_a", "US-Ohio", Status.SUCCESS, 50), "u1"));
        send(withUserId(event(TEN + 2_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100), "u2"));
        send(withUserId(event(TEN_ONE, "mov_c", "EU-Berlin", Status.SUCCESS, 100), "u1"));
        assertThat(sessionPartials()).isEmpty();

        harness.processWatermark(TEN_LAST);

        assertThat(sessionPartials())
                .containsExactlyInAnyOrder(
                        "u1 " + span(TEN + 1_000) + " 1/0/100 [mov_a] [EU-Berlin] @" + TEN_LAST,
                        "u1 " + span(TEN + 5_000) + " 1/1/0 [mov_b] [EU-Berlin] @" + TEN_LAST,
                        "u1 " + span(TEN + 9_000) + " 1/0/50 [mov_a] [US-Ohio] @" + TEN_LAST,
                        "u2 " + span(TEN + 2_000) + " 1/0/100 [mov_a] [EU-Berlin] @" + TEN_LAST);
    }

    private static String span(long time) {
        return time + ".." + time;
    }

    @Test
    void theKeyCapFlushesTheOldestWindowAndKeepsTheOneFilling() throws Exception {
        harness.close();
        harness = harness(4);
        harness.open();
        // Three keys (content, region, device) in 10:00, three more in 10:01: six, over the cap.
        send(event(TEN + 1_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        send(event(TEN_ONE + 1_000, "mov_b", "US-Ohio", Status.SUCCESS, 200));

        assertThat(harness.extractOutputValues())
                .extracting(c -> c.windowStart)
                .containsExactly(TEN, TEN, TEN);

        harness.processWatermark(TEN_ONE + MINUTE - 1);
        assertThat(harness.extractOutputValues())
                .extracting(c -> c.windowStart)
                .containsExactly(TEN, TEN, TEN, TEN_ONE, TEN_ONE, TEN_ONE);
    }

    @Test
    void theDownloadCapFlushesOnlyTheSessionPartials() throws Exception {
        harness.close();
        harness = new OneInputStreamOperatorTestHarness<>(new PreAggregator(MINUTE, 4, 0, BUCKETS));
        harness.open();
        // The same content, region and device: 3 keys, under the cap of 4; downloads reach it.
        for (String u : List.of("u1", "u2", "u3")) {
            send(withUserId(event(TEN + 1_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100), u));
        }
        assertThat(sessionPartials()).isEmpty();

        send(withUserId(event(TEN + 1_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100), "u4"));

        assertThat(sessionPartials()).hasSize(4);
        assertThat(side(Dimension.CONTENT)).as("still buffered").isEmpty();
    }

    @Test
    void lateUpdatesCountInTheTotalsButNotInTheOnTimeCounts() throws Exception {
        send(event(TEN + 1_000, "mov_a", "EU-Berlin", Status.SUCCESS, 100));
        send(event(TEN + 2_000, "mov_a", "EU-Berlin", Status.FAILED, 100).asLate());

        harness.processWatermark(TEN_LAST);

        assertThat(partials(Dimension.REGION))
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.total).isEqualTo(2);
                            assertThat(c.failed).isEqualTo(1);
                            assertThat(c.onTimeTotal).isEqualTo(1);
                            assertThat(c.onTimeSuccessful).isEqualTo(1);
                            assertThat(c.onTimeSpeedMicrosSum).isEqualTo(10_000_000L);
                            assertThat(c.hasLateUpdates()).isTrue();
                        });
    }

    private static OneInputStreamOperatorTestHarness<Download, WindowCounts> harness(
            int maxBufferedKeys) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new PreAggregator(MINUTE, maxBufferedKeys));
    }

    /** Every trending entry sent so far, as "content region downloads @timestamp", in order. */
    private List<String> trending() {
        List<String> entries = new ArrayList<>();
        for (StreamRecord<TrendingBatch> r : harness.getSideOutput(PreAggregator.TRENDING)) {
            MinuteCounts m = r.getValue().counts;
            for (int i = 0; i < m.contents.length; i++) {
                for (int e = m.firstEntry[i]; e < m.firstEntry[i + 1]; e++) {
                    entries.add(
                            m.contents[i]
                                    + " "
                                    + m.regions[m.region[e]]
                                    + " "
                                    + m.downloads[e]
                                    + " @"
                                    + r.getTimestamp());
                }
            }
        }
        return entries;
    }

    /** "user first..last downloads/failed/sizeMb [contents] [regions] @timestamp". */
    private List<String> sessionPartials() throws IOException {
        List<String> out = new ArrayList<>();
        var records = harness.getSideOutput(PreAggregator.SESSIONS);
        for (StreamRecord<SessionBatch> r :
                records == null ? List.<StreamRecord<SessionBatch>>of() : records) {
            for (SessionPartial p : SessionPartial.of(r.getValue())) {
                assertThat(SessionBatch.bucket(p.userId, BUCKETS)).isEqualTo(r.getValue().bucket);
                out.add(
                        p.userId
                                + " "
                                + p.start
                                + ".."
                                + p.end
                                + " "
                                + p.downloads
                                + "/"
                                + p.failed
                                + "/"
                                + p.successfulSizeMb
                                + " "
                                + SessionPartial.contentIds(p.contents, "mov_a", "mov_b", "mov_c")
                                + " "
                                + Arrays.toString(p.regions)
                                + " @"
                                + r.getTimestamp());
            }
        }
        return out;
    }

    private void send(Download d) throws Exception {
        harness.processElement(d, d.timestamp());
    }

    /** A 10 s download at 10 Mbps on a Pixel 9, from partition 3. */
    private Download event(long time, String content, String region, Status status, int sizeMb) {
        return new Download(
                time,
                content,
                "Title " + content,
                region,
                "Pixel 9",
                "Android 15",
                status,
                10,
                10_000_000L,
                sizeMb,
                3,
                nextOffset++,
                time,
                null,
                false);
    }

    /**
     * One dimension's partials as "key|detail|window|total|ok|failed|duration|speed|sizeMb @ts".
     */
    private List<String> side(Dimension dimension) {
        List<String> out = new ArrayList<>();
        for (StreamRecord<WindowCounts> r : records(dimension)) {
            out.add(fields(r.getValue()) + " @" + r.getTimestamp());
        }
        return out;
    }

    private List<WindowCounts> partials(Dimension dimension) {
        return records(dimension).stream().map(StreamRecord::getValue).toList();
    }

    @SuppressWarnings("unchecked")
    private List<StreamRecord<WindowCounts>> records(Dimension dimension) {
        List<StreamRecord<WindowCounts>> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> r
                    && ((WindowCounts) r.getValue()).dimension == dimension) {
                out.add((StreamRecord<WindowCounts>) r);
            }
        }
        return out;
    }
}
