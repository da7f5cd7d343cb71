package com.streampulse.job.trending;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.trending.TopN.Trend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopNTest {

    @Test
    void ranksByDownloadsThenContentIdAndKeepsN() {
        TopN top = new TopN(3);
        top.offer(trend("c", 5));
        top.offer(trend("a", 7));
        top.offer(trend("b", 5));
        top.offer(trend("d", 1));
        top.offer(trend("e", 0));
        assertThat(top.ranked()).extracting(Trend::contentId).containsExactly("a", "b", "c");
    }

    @Test
    void theTopNOfMergedBucketListsIsTheTopNOfAllCounts() {
        Random random = new Random(16);
        for (int round = 0; round < 200; round++) {
            int n = 1 + random.nextInt(12);
            int buckets = 1 + random.nextInt(8);
            List<List<Trend>> perBucket = new ArrayList<>();
            List<TopN> bucketTops = new ArrayList<>();
            for (int b = 0; b < buckets; b++) {
                bucketTops.add(new TopN(n));
            }
            TopN everything = new TopN(n);
            int contents = random.nextInt(300);
            for (int i = 0; i < contents; i++) {
                // Few distinct counts, so ties are common.
                Trend t = trend("content-" + i, random.nextInt(20));
                everything.offer(t);
                bucketTops.get(TrendingBuckets.bucket(t.contentId(), buckets)).offer(t);
            }
            bucketTops.forEach(b -> perBucket.add(b.ranked()));
            assertThat(TopN.merge(n, perBucket)).isEqualTo(everything.ranked());
        }
    }

    @Test
    void replacingABucketsGrowingListKeepsTheTopNOfEveryBucketsLatestList() {
        Random random = new Random(17);
        for (int round = 0; round < 200; round++) {
            int n = 1 + random.nextInt(6);
            int buckets = 1 + random.nextInt(5);
            // Each bucket's counts only grow, as late downloads make them; ties are common.
            List<Map<String, Long>> counts = new ArrayList<>();
            List<List<Trend>> latest = new ArrayList<>();
            for (int b = 0; b < buckets; b++) {
                counts.add(new HashMap<>());
                latest.add(List.of());
            }
            Ranking merged = null;
            for (int step = 0; step < 30; step++) {
                int b = random.nextInt(buckets);
                for (int i = random.nextInt(4); i >= 0; i--) {
                    String id = "content-" + b + "-" + random.nextInt(12);
                    counts.get(b).merge(id, (long) random.nextInt(3), Long::sum);
                }
                TopN top = new TopN(n);
                counts.get(b).forEach((id, c) -> top.offer(trend(id, c)));
                latest.set(b, top.ranked());
                Ranking list = Ranking.of("EU", 60_000, b, latest.get(b));
                merged = TrendingRanker.replace(merged, list, n);

                assertThat(merged.trends()).isEqualTo(TopN.merge(n, latest));
            }
        }
    }

    @Test
    void minuteCountsAddUpPerContentAndRegionInAnyOrder() {
        MinuteCounts.Builder a = new MinuteCounts.Builder();
        assertThat(a.add("EU", "x", "T", 3)).isTrue();
        assertThat(a.add("US", "x", "T", 1)).isTrue();
        assertThat(a.add("EU", "x", "T", 4)).isFalse();
        MinuteCounts.Builder b = new MinuteCounts.Builder();
        b.add("US", "y", "Y", 2);
        b.add("EU", "x", "S", 5);
        MinuteCounts merged = MinuteCounts.merge(a.build(), b.build());

        assertThat(merged.contents).containsExactly("x", "y");
        // The smallest title wins, whichever came first.
        assertThat(merged.titles).containsExactly("S", "Y");
        assertThat(merged.firstEntry).containsExactly(0, 2, 3);
        assertThat(merged.regions).containsExactly("EU", "US");
        assertThat(merged.region).containsExactly(0, 1, 1);
        assertThat(merged.downloads).containsExactly(12, 1, 2);
    }

    private static Trend trend(String id, long downloads) {
        return new Trend(id, "Title " + id, downloads, 0);
    }
}
