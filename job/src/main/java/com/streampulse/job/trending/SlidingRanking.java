package com.streampulse.job.trending;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;

/**
 * Ranks one bucket's contents, per scope, for several window ends in one pass over the bucket's
 * minutes. The sums slide: the first window end sums its 2 × L minutes (the window and the one
 * before it), every next one adds the minute that enters and moves or drops the two that leave, so
 * re-ranking the windows late data changed costs three minutes each, not 2 × L.
 *
 * <p>Contents and scopes are numbered once per pass, and every (scope, content) pair has one slot
 * of primitive sums, so the pass allocates per pair, not per minute and pair. A content's title is
 * the smallest one in the minutes of the pass. One instance makes one pass.
 */
final class SlidingRanking {

    private final long slideMillis;
    private final long lengthMillis;
    private final int topN;

    private final Map<String, Integer> scopeIndex = new HashMap<>();
    private final List<String> scopes = new ArrayList<>();
    private final Map<String, Integer> contentIndex = new HashMap<>();
    private final List<String> contentIds = new ArrayList<>();
    private final List<String> titles = new ArrayList<>();
    private final Map<Long, Numbered> numbered = new HashMap<>();
    private PairSums sums;

    /** Scope numbers in the order of their names: the order rankings are sent in. */
    private Integer[] byName;

    SlidingRanking(long slideMillis, long lengthMillis, int topN) {
        this.slideMillis = slideMillis;
        this.lengthMillis = lengthMillis;
        this.topN = topN;
        scope(TrendingBuckets.GLOBAL);
    }

    /**
     * @param minutes the bucket's downloads by window start; must hold every minute from {@code
     *     due.first() - 2 × L} up to {@code due.last()} that has downloads
     * @param due the window ends to rank, in order
     * @return per due window end, ascending, and scope, by name: the bucket's top N
     */
    List<Ranking> rank(int bucket, Map<Long, MinuteCounts> minutes, NavigableSet<Long> due) {
        int largestMinute = 0;
        for (Map.Entry<Long, MinuteCounts> m : minutes.entrySet()) {
            numbered.put(m.getKey(), number(m.getValue()));
            MinuteCounts c = m.getValue();
            largestMinute = Math.max(largestMinute, c.entries() + c.contents.length);
        }
        // The pass has at least as many pairs as its largest minute, and several times that in
        // all: sized for twice, growing from 1,024 cost a tenth of the pass in copies.
        sums = new PairSums(Math.max(1024, 2 * largestMinute), contentIds.size());
        byName = new Integer[scopes.size()];
        Arrays.setAll(byName, i -> i);
        Arrays.sort(byName, (a, b) -> scopes.get(a).compareTo(scopes.get(b)));
        long first = due.first();
        for (long start = first - 2 * lengthMillis; start < first; start += slideMillis) {
            apply(start, start < first - lengthMillis ? PairSums.PREVIOUS : PairSums.CURRENT, 1);
        }
        List<Ranking> out = new ArrayList<>();
        for (long end = first; end <= due.last(); end += slideMillis) {
            if (end > first) {
                // The minute that ended at `end - slide` enters; the oldest of each window leaves.
                long entering = end - slideMillis;
                apply(entering, PairSums.CURRENT, 1);
                apply(entering - lengthMillis, PairSums.CURRENT, -1);
                apply(entering - lengthMillis, PairSums.PREVIOUS, 1);
                apply(entering - 2 * lengthMillis, PairSums.PREVIOUS, -1);
            }
            if (due.contains(end)) {
                top(bucket, end, out);
            }
        }
        return out;
    }

    private void apply(long start, int column, int sign) {
        Numbered m = numbered.get(start);
        if (m == null) {
            return;
        }
        MinuteCounts c = m.counts;
        int scopeCount = scopes.size();
        for (int i = 0; i < c.contents.length; i++) {
            int content = m.contentOf[i];
            long all = 0;
            for (int e = c.firstEntry[i]; e < c.firstEntry[i + 1]; e++) {
                sums.add(
                        m.scopeOf[c.region[e]], content, scopeCount, column, sign * c.downloads[e]);
                all += c.downloads[e];
            }
            sums.add(0, content, scopeCount, column, sign * all);
        }
    }

    private void top(int bucket, long end, List<Ranking> out) {
        TopN[] tops = new TopN[scopes.size()];
        for (int s = 0; s < sums.size(); s++) {
            long downloads = sums.current(s);
            if (downloads > 0) {
                int scope = sums.scope(s);
                if (tops[scope] == null) {
                    tops[scope] = new TopN(topN);
                }
                int content = sums.content(s);
                tops[scope].offer(
                        contentIds.get(content), titles.get(content), downloads, sums.previous(s));
            }
        }
        for (int scope : byName) {
            if (tops[scope] != null) {
                out.add(Ranking.of(scopes.get(scope), end, bucket, tops[scope].ranked()));
            }
        }
    }

    private Numbered number(MinuteCounts c) {
        int[] scopeOf = new int[c.regions.length];
        for (int r = 0; r < scopeOf.length; r++) {
            scopeOf[r] = scope(c.regions[r]);
        }
        int[] contentOf = new int[c.contents.length];
        for (int i = 0; i < contentOf.length; i++) {
            Integer n = contentIndex.get(c.contents[i]);
            if (n == null) {
                n = contentIds.size();
                contentIndex.put(c.contents[i], n);
                contentIds.add(c.contents[i]);
                titles.add(c.titles[i]);
            } else if (c.titles[i] != null
                    && (titles.get(n) == null || c.titles[i].compareTo(titles.get(n)) < 0)) {
                titles.set(n, c.titles[i]);
            }
            contentOf[i] = n;
        }
        return new Numbered(c, scopeOf, contentOf);
    }

    private int scope(String name) {
        Integer n = scopeIndex.get(name);
        if (n == null) {
            n = scopes.size();
            scopeIndex.put(name, n);
            scopes.add(name);
        }
        return n;
    }

    /** A minute with its regions and contents numbered for this pass. */
    private record Numbered(MinuteCounts counts, int[] scopeOf, int[] contentOf) {}

    /**
     * Downloads per (scope, content) pair in the current and the previous window, in primitive
     * columns per slot. A content's slots are found through its own array indexed by scope (the
     * pass numbers both densely), so adding is two array reads, not a probe of a hash table.
     */
    private static final class PairSums {
        static final int CURRENT = 0;
        static final int PREVIOUS = 1;

        private final int[][] slotOf;
        private int[] scopes;
        private int[] contents;
        private long[][] columns;
        private int size;

        /** {@code contentCount}: contents are numbered below it. */
        PairSums(int capacity, int contentCount) {
            slotOf = new int[contentCount][];
            scopes = new int[capacity];
            contents = new int[capacity];
            columns = new long[][] {new long[capacity], new long[capacity]};
        }

        int size() {
            return size;
        }

        int scope(int slot) {
            return scopes[slot];
        }

        int content(int slot) {
            return contents[slot];
        }

        long current(int slot) {
            return columns[CURRENT][slot];
        }

        long previous(int slot) {
            return columns[PREVIOUS][slot];
        }

        /** Adds to a pair; {@code scopeCount} bounds the scope numbers of the pass. */
        void add(int scope, int content, int scopeCount, int column, long downloads) {
            int[] slots = slotOf[content];
            if (slots == null) {
                // Slot + 1, so a new array (all 0) needs no filling.
                slots = new int[scopeCount];
                slotOf[content] = slots;
            }
            int slot = slots[scope] - 1;
            if (slot < 0) {
                if (size == scopes.length) {
                    scopes = Arrays.copyOf(scopes, size * 2);
                    contents = Arrays.copyOf(contents, size * 2);
                    columns[CURRENT] = Arrays.copyOf(columns[CURRENT], size * 2);
                    columns[PREVIOUS] = Arrays.copyOf(columns[PREVIOUS], size * 2);
                }
                slot = size++;
                slots[scope] = slot + 1;
                scopes[slot] = scope;
                contents[slot] = content;
            }
            columns[column][slot] += downloads;
        }
    }
}
