package com.streampulse.job.trending;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.trending.TopN.Trend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SlidingRankingTest {

    private static final long SLIDE = 10;
    private static final long LENGTH = 3 * SLIDE;
    private static final int TOP = 3;

    @Test
    void slidingSumsRankLikeSummingEveryWindowFromScratch() {
        Random random = new Random(4);
        for (int round = 0; round < 100; round++) {
            // Per window start: region → content → downloads, few values so ties are common.
            Map<Long, Map<String, Map<String, Long>>> truth = new HashMap<>();
            Map<Long, MinuteCounts> minutes = new HashMap<>();
            for (long start = 0; start < 12 * SLIDE; start += SLIDE) {
                if (random.nextInt(5) == 0) {
                    continue; // a minute without downloads
                }
                MinuteCounts.Builder b = new MinuteCounts.Builder();
                for (int i = random.nextInt(15); i > 0; i--) {
                    String region = "r" + random.nextInt(3);
                    String content = "c" + random.nextInt(8);
                    long n = 1 + random.nextInt(3);
                    b.add(region, content, "Title " + content, n);
                    truth.computeIfAbsent(start, k -> new HashMap<>())
                            .computeIfAbsent(region, k -> new HashMap<>())
                            .merge(content, n, Long::sum);
                }
                minutes.put(start, b.build());
            }
            TreeSet<Long> due = new TreeSet<>();
            for (long end = SLIDE; end <= 12 * SLIDE; end += SLIDE) {
                if (random.nextBoolean()) {
                    due.add(end);
                }
            }
            if (due.isEmpty()) {
                continue;
            }

            List<Ranking> ranked = new SlidingRanking(SLIDE, LENGTH, TOP).rank(7, minutes, due);

            assertThat(describe(ranked)).isEqualTo(describe(fromScratch(truth, due)));
        }
    }

    @Test
    void sumsKeptFromPassToPassRankLikeSummingEveryWindowFromScratch() {
        Random random = new Random(5);
        for (int round = 0; round < 200; round++) {
            Map<Long, Map<String, Map<String, Long>>> truth = new HashMap<>();
            // The bucket's state: one merged value per window start.
            Map<Long, MinuteCounts> minutes = new HashMap<>();
            // Compacts whenever half its slots are empty, so renumbering is exercised too.
            SlidingRanking kept = new SlidingRanking(SLIDE, LENGTH, TOP, 1);
            long published = Long.MIN_VALUE;
            long lateFrom = Long.MAX_VALUE;
            for (long now = SLIDE; now <= 24 * SLIDE; now += SLIDE) {
                add(random, now - SLIDE, truth, minutes);
                if (published != Long.MIN_VALUE && random.nextInt(3) == 0) {
                    // Late downloads of a window already ranked, up to 8 slides back (older
                    // than both windows at 7 and 8).
                    long start = published - SLIDE * (1 + random.nextInt(8));
                    kept.addLate(start, add(random, start, truth, minutes));
                    lateFrom = Math.min(lateFrom, start);
                }
                if (random.nextInt(3) == 0) {
                    continue; // no pass at this end: the next one covers several
                }
                // As TrendingBuckets: the windows late data changed, then the new ones (none
                // sometimes: a pass that only ranks again).
                TreeSet<Long> due = new TreeSet<>();
                if (lateFrom != Long.MAX_VALUE) {
                    long lastAffected = Math.min(published, lateFrom + 2 * LENGTH);
                    for (long end = lateFrom + SLIDE; end <= lastAffected; end += SLIDE) {
                        due.add(end);
                    }
                }
                long upTo = random.nextInt(5) == 0 ? published : now;
                for (long end = published == Long.MIN_VALUE ? SLIDE : published + SLIDE;
                        end <= upTo;
                        end += SLIDE) {
                    due.add(end);
                }
                if (due.isEmpty()) {
                    continue;
                }
                Map<Long, MinuteCounts> read = new HashMap<>();
                for (long start : kept.needs(due)) {
                    if (minutes.containsKey(start)) {
                        read.put(start, minutes.get(start));
                    }
                }

                List<Ranking> ranked = kept.rank(7, read, due);

                assertThat(describe(ranked)).isEqualTo(describe(fromScratch(truth, due)));
                published = Math.max(published, due.last());
                assertThat(kept.end()).isEqualTo(published);
                lateFrom = Long.MAX_VALUE;
            }
        }
    }

    /**
     * Random downloads in the window starting at {@code start}, added to the truth and to the
     * state; contents drift with time, so old ones leave the sums.
     */
    private static MinuteCounts add(
            Random random,
            long start,
            Map<Long, Map<String, Map<String, Long>>> truth,
            Map<Long, MinuteCounts> minutes) {
        MinuteCounts.Builder b = new MinuteCounts.Builder();
        for (int i = 1 + random.nextInt(12); i > 0; i--) {
            String region = "r" + random.nextInt(3);
            String content = "c" + (start / SLIDE / 3 + random.nextInt(6));
            long n = 1 + random.nextInt(3);
            b.add(region, content, "Title " + content, n);
            truth.computeIfAbsent(start, k -> new HashMap<>())
                    .computeIfAbsent(region, k -> new HashMap<>())
                    .merge(content, n, Long::sum);
        }
        MinuteCounts added = b.build();
        minutes.merge(start, added, MinuteCounts::merge);
        return added;
    }

    private static List<Ranking> fromScratch(
            Map<Long, Map<String, Map<String, Long>>> truth, TreeSet<Long> due) {
        TreeSet<String> contents = new TreeSet<>();
        truth.values().forEach(m -> m.values().forEach(c -> contents.addAll(c.keySet())));
        List<Ranking> out = new ArrayList<>();
        for (long end : due) {
            for (String scope : List.of("global", "r0", "r1", "r2")) {
                TopN top = new TopN(TOP);
                for (String content : contents) {
                    long now = sum(truth, scope, content, end - LENGTH, end);
                    long before = sum(truth, scope, content, end - 2 * LENGTH, end - LENGTH);
                    top.offer(new Trend(content, "Title " + content, now, before));
                }
                if (!top.ranked().isEmpty()) {
                    out.add(Ranking.of(scope, end, 7, top.ranked()));
                }
            }
        }
        return out;
    }

    private static long sum(
            Map<Long, Map<String, Map<String, Long>>> truth,
            String scope,
            String content,
            long from,
            long to) {
        long sum = 0;
        for (long start = from; start < to; start += SLIDE) {
            for (Map.Entry<String, Map<String, Long>> region :
                    truth.getOrDefault(start, Map.of()).entrySet()) {
                if (scope.equals("global") || scope.equals(region.getKey())) {
                    sum += region.getValue().getOrDefault(content, 0L);
                }
            }
        }
        return sum;
    }

    private static List<String> describe(List<Ranking> rankings) {
        return rankings.stream()
                .map(r -> r.scope + "@" + r.windowEnd + "#" + r.bucket + r.trends())
                .toList();
    }
}
