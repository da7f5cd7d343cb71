package com.streampulse.job.sessions;

import static com.streampulse.job.sessions.SessionBuilderTest.download;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.Download;
import com.streampulse.job.records.Download.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Property: for random downloads, the sessions {@link SessionBuilder} writes from per-window
 * partials in batches per bucket of users equal the sessions cut naively per user from the raw
 * downloads (sorted per user, split where two downloads are a gap or more apart). The batches come
 * from {@link SessionPartials} as the pre-aggregator builds them: two of them share the downloads
 * (two source subtasks), each flushed early now and then (checkpoints, the buffer cap), so one
 * user's window arrives in several parts; the batches arrive out of order (late within the allowed
 * lateness, or well ahead of event time), with event time advancing between them, so late parts
 * bridge sessions and sessions close while others are still open. The number of buckets varies from
 * one (every user shares a key, a due list and a timer) to the job's (users rarely share); the
 * builder buffers one user's partials in memory, a few, or all, and now and then checkpoints and
 * restarts from the checkpoint; a third of the runs keep the builder's state in RocksDB, as the job
 * does, the others on the heap.
 */
class SessionsFromPartialsPropertyTest {

    private static final long MINUTE = 60_000;
    private static final long GAP = 30 * MINUTE;
    private static final long LATENESS = 5 * MINUTE;
    private static final long AHEAD = 40 * MINUTE;
    private static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
    private static final String[] CONTENTS = {"a", "b", "c", "d", "e"};
    private static final String[] REGIONS = {"EU", "US", "ASIA"};
    private static final String[] DEVICES = {"phone", "tv"};
    private static final Status[] STATUSES = Status.values();
    private static final int[] BUCKETS = {1, 3, 512};
    private static final int[] BUFFERED_USERS = {1, 3, 1_000};

    @Test
    void sessionsFromPerWindowPartialsEqualSessionsFromTheRawDownloads() throws Exception {
        for (long seed = 1; seed <= 60; seed++) {
            Random random = new Random(seed);
            List<Download> downloads = downloads(random);
            assertThat(fromPartials(downloads, random))
                    .as("seed %d", seed)
                    .isEqualTo(naive(downloads));
        }
    }

    /** A few users, each with bursts of downloads separated by pauses around the gap. */
    private static List<Download> downloads(Random random) {
        List<Download> downloads = new ArrayList<>();
        int users = 1 + random.nextInt(8);
        for (int u = 0; u < users; u++) {
            long time = T0 + random.nextInt((int) (10 * MINUTE));
            int count = 1 + random.nextInt(40);
            for (int i = 0; i < count; i++) {
                downloads.add(
                        download(
                                "u" + u,
                                time,
                                CONTENTS[random.nextInt(CONTENTS.length)],
                                REGIONS[random.nextInt(REGIONS.length)],
                                DEVICES[random.nextInt(DEVICES.length)],
                                STATUSES[random.nextInt(STATUSES.length)],
                                1 + random.nextInt(500)));
                // Pauses close to the gap (either side), else seconds or minutes apart.
                time +=
                        switch (random.nextInt(4)) {
                            case 0 -> GAP - 2 * MINUTE + random.nextInt((int) (4 * MINUTE));
                            case 1 -> random.nextInt((int) (3 * MINUTE));
                            default -> random.nextInt(20_000);
                        };
            }
        }
        return downloads;
    }

    private static List<String> fromPartials(List<Download> downloads, Random random)
            throws Exception {
        int buckets = BUCKETS[random.nextInt(BUCKETS.length)];
        List<SessionBatch> batches = new ArrayList<>();
        Map<SessionBatch, Long> windowLast = new IdentityHashMap<>();
        BiConsumer<SessionBatch, Long> flushed =
                (b, last) -> {
                    batches.add(b);
                    windowLast.put(b, last);
                };
        List<SessionPartials> subtasks =
                List.of(new SessionPartials(MINUTE, buckets), new SessionPartials(MINUTE, buckets));
        for (Download d : downloads) {
            SessionPartials subtask = subtasks.get(random.nextInt(subtasks.size()));
            subtask.add(d.timestamp() - Math.floorMod(d.timestamp(), MINUTE), d);
            if (random.nextInt(20) == 0) {
                subtask.flushUpTo(Long.MAX_VALUE, flushed);
            }
        }
        subtasks.forEach(s -> s.flushUpTo(Long.MAX_VALUE, flushed));

        // Each batch arrives before event time passes its window plus the lateness, up to AHEAD
        // before its window (from a partition that runs ahead of the others).
        Map<SessionBatch, Long> arrival = new IdentityHashMap<>();
        for (SessionBatch b : batches) {
            arrival.put(b, windowLast.get(b) - AHEAD + random.nextInt((int) (AHEAD + LATENESS)));
        }
        batches.sort(Comparator.comparing(arrival::get));

        // The builder joins partials in memory for up to this many users between flushes.
        int bufferedUsers = BUFFERED_USERS[random.nextInt(BUFFERED_USERS.length)];
        boolean onRocksDb = random.nextInt(3) == 0;
        var h = SessionBuilderTest.harness(null, GAP, LATENESS, MINUTE, bufferedUsers, onRocksDb);
        List<String> rows = new ArrayList<>();
        try {
            long watermark = Long.MIN_VALUE;
            for (SessionBatch b : batches) {
                if (arrival.get(b) - 1 > watermark) {
                    watermark = arrival.get(b) - 1;
                    h.processWatermark(watermark);
                }
                h.processElement(b, windowLast.get(b));
                if (random.nextInt(10) == 0) {
                    // A checkpoint, and a restart from it.
                    OperatorSubtaskState snapshot = SessionBuilderTest.checkpoint(h);
                    collect(h, rows);
                    h.close();
                    h =
                            SessionBuilderTest.harness(
                                    snapshot, GAP, LATENESS, MINUTE, bufferedUsers, onRocksDb);
                    h.processWatermark(watermark);
                }
            }
            h.processWatermark(Long.MAX_VALUE);
            collect(h, rows);
            rows.sort(null);
            return rows;
        } finally {
            h.close();
        }
    }

    private static void collect(
            KeyedOneInputStreamOperatorTestHarness<Integer, SessionBatch, UserSession> h,
            List<String> rows) {
        h.extractOutputValues().stream().map(UserSession::describe).forEach(rows::add);
    }

    /** Sessions cut from the raw downloads, written without the job's session code. */
    private static List<String> naive(List<Download> downloads) {
        Map<String, List<Download>> byUser = new TreeMap<>();
        for (Download d : downloads) {
            byUser.computeIfAbsent(d.userId(), u -> new ArrayList<>()).add(d);
        }
        List<String> rows = new ArrayList<>();
        byUser.forEach(
                (user, list) -> {
                    list.sort(Comparator.comparingLong(Download::timestamp));
                    int from = 0;
                    for (int i = 1; i <= list.size(); i++) {
                        if (i == list.size()
                                || list.get(i).timestamp() - list.get(i - 1).timestamp() >= GAP) {
                            rows.add(describe(user, list.subList(from, i)));
                            from = i;
                        }
                    }
                });
        rows.sort(null);
        return rows;
    }

    private static String describe(String user, List<Download> s) {
        TreeSet<String> contents = new TreeSet<>();
        TreeSet<String> regions = new TreeSet<>();
        TreeSet<String> devices = new TreeSet<>();
        long failed = 0;
        long sizeMb = 0;
        for (Download d : s) {
            contents.add(d.contentId());
            regions.add(d.region());
            devices.add(d.device());
            failed += d.status() == Status.FAILED ? 1 : 0;
            sizeMb += d.status() == Status.SUCCESS ? d.sizeMb() : 0;
        }
        return user
                + " "
                + s.get(0).timestamp()
                + ".."
                + s.get(s.size() - 1).timestamp()
                + " downloads="
                + s.size()
                + " failed="
                + failed
                + " sizeMb="
                + sizeMb
                + " contents="
                + contents.size()
                + " regions="
                + String.join(",", regions)
                + " devices="
                + String.join(",", devices);
    }
}
