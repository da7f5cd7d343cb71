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

    private static List<Ranking> fromScratch(
            Map<Long, Map<String, Map<String, Long>>> truth, TreeSet<Long> due) {
        List<Ranking> out = new ArrayList<>();
        for (long end : due) {
            for (String scope : List.of("global", "r0", "r1", "r2")) {
                TopN top = new TopN(TOP);
                for (int c = 0; c < 8; c++) {
                    String content = "c" + c;
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
