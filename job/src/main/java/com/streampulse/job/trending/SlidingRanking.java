package com.streampulse.job.trending;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;

/**
 * One bucket's downloads per (scope, content) in the sliding window ending at {@link #end()} and in
 * the window before it, kept on the heap from one ranking pass to the next, so a pass reads only
 * the minutes that enter or leave the windows, not 2 × L minutes from state every window end.
 *
 * <p>Moving the sums one slide forward adds the minute that enters, moves the one that leaves the
 * window into the previous window and drops the one that leaves that: three minutes. Moving back is
 * the same in reverse, which is how windows that late data changed are ranked again: back to the
 * oldest of them, then forward again. Late downloads of a minute already in the sums are added as
 * they arrive ({@link #addLate}), so the sums always equal those of the bucket's state.
 *
 * <p>Not checkpointed: built from state by the first pass after a start or restore. Contents and
 * scopes are numbered for as long as the sums hold them, and every (scope, content) pair has one
 * slot of primitive sums. A content's title is the smallest one among the minutes the sums read
 * while holding it (titles are fixed per content id in the catalogue, so this is its title).
 */
final class SlidingRanking {

    private static final int CURRENT = 0;
    private static final int PREVIOUS = 1;

    private final long slideMillis;
    private final long lengthMillis;
    private final int topN;

    /**
     * Slots with nothing in either window are dropped once there are this many, and half of all.
     */
    private final int compactAt;

    private final Map<String, Integer> scopeIndex = new HashMap<>();
    private final List<String> scopes = new ArrayList<>();

    /** Scope numbers in the order of their names: the order rankings are sent in. */
    private Integer[] byName = new Integer[0];

    private Map<String, Integer> contentIndex = new HashMap<>();
    private List<String> contentIds = new ArrayList<>();
    private List<String> titles = new ArrayList<>();
    private PairSums sums = new PairSums();

    /** The window end the sums stand at; Long.MIN_VALUE until the first pass. */
    private long end = Long.MIN_VALUE;

    SlidingRanking(long slideMillis, long lengthMillis, int topN) {
        this(slideMillis, lengthMillis, topN, 4_096);
    }

    SlidingRanking(long slideMillis, long lengthMillis, int topN, int compactAt) {
        this.slideMillis = slideMillis;
        this.lengthMillis = lengthMillis;
        this.topN = topN;
        this.compactAt = compactAt;
        scope(TrendingBuckets.GLOBAL);
    }

    long end() {
        return end;
    }

    /**
     * The window starts whose downloads {@link #rank} reads to rank {@code due}: from nothing, the
     * 2 × L minutes before its first end; then three per slide between the oldest end it visits and
     * the newest.
     */
    Set<Long> needs(NavigableSet<Long> due) {
        Set<Long> starts = new HashSet<>();
        long from = end == Long.MIN_VALUE ? due.first() : Math.min(end, due.first());
        if (end == Long.MIN_VALUE) {
            for (long start = from - 2 * lengthMillis; start < from; start += slideMillis) {
                starts.add(start);
            }
        }
        for (long start = from; start < Math.max(end, due.last()); start += slideMillis) {
            starts.add(start);
            starts.add(start - lengthMillis);
            starts.add(start - 2 * lengthMillis);
        }
        return starts;
    }

    /** Adds late downloads of the window starting at {@code start}, already before {@link #end}. */
    void addLate(long start, MinuteCounts counts) {
        if (end == Long.MIN_VALUE) {
            return;
        }
        if (start >= end - lengthMillis) {
            apply(number(counts), CURRENT, 1);
        } else if (start >= end - 2 * lengthMillis) {
            apply(number(counts), PREVIOUS, 1);
        }
    }

    /**
     * Ranks the window ends {@code due}, which may lie before {@link #end} (windows late data
     * changed), after it, or both; afterwards the sums stand at the newest of {@code due} and the
     * old end.
     *
     * @param minutes the bucket's downloads by window start: at least those {@link #needs} names
     *     that have downloads
     * @return per due window end, ascending, and scope, by name: the bucket's top N
     */
    List<Ranking> rank(int bucket, Map<Long, MinuteCounts> minutes, NavigableSet<Long> due) {
        Map<Long, Numbered> numbered = new HashMap<>();
        if (end == Long.MIN_VALUE) {
            end = due.first();
            for (long start = end - 2 * lengthMillis; start < end; start += slideMillis) {
                int column = start < end - lengthMillis ? PREVIOUS : CURRENT;
                apply(numbered(minutes, numbered, start), column, 1);
            }
        }
        long last = Math.max(end, due.last());
        while (end > due.first()) {
            slide(minutes, numbered, end - slideMillis, -1);
            end -= slideMillis;
        }
        List<Ranking> out = new ArrayList<>();
        while (true) {
            if (due.contains(end)) {
                top(bucket, out);
            }
            if (end == last) {
                break;
            }
            slide(minutes, numbered, end, 1);
            end += slideMillis;
        }
        if (sums.size() >= compactAt && 2 * sums.live() < sums.size()) {
            compact();
        }
        return out;
    }

    /**
     * Moves the sums across the window end after the minute starting at {@code entering}: forward
     * (sign 1) it enters the window, the minute L before moves to the previous window and the one 2
     * × L before leaves; backward (sign -1) the reverse.
     */
    private void slide(
            Map<Long, MinuteCounts> minutes,
            Map<Long, Numbered> numbered,
            long entering,
            int sign) {
        long moving = entering - lengthMillis;
        long leaving = moving - lengthMillis;
        apply(numbered(minutes, numbered, entering), CURRENT, sign);
        Numbered m = numbered(minutes, numbered, moving);
        apply(m, CURRENT, -sign);
        apply(m, PREVIOUS, sign);
        apply(numbered(minutes, numbered, leaving), PREVIOUS, -sign);
    }

    private Numbered numbered(
            Map<Long, MinuteCounts> minutes, Map<Long, Numbered> numbered, long start) {
        Numbered n = numbered.get(start);
        if (n == null) {
            MinuteCounts counts = minutes.get(start);
            if (counts == null) {
                return null;
            }
            n = number(counts);
            numbered.put(start, n);
        }
        return n;
    }

    private void apply(Numbered m, int column, int sign) {
        if (m == null) {
            return;
        }
        MinuteCounts c = m.counts;
        for (int i = 0; i < c.contents.length; i++) {
            int content = m.contentOf[i];
            long all = 0;
            for (int e = c.firstEntry[i]; e < c.firstEntry[i + 1]; e++) {
                sums.add(
                        m.scopeOf[c.region[e]],
                        content,
                        scopes.size(),
                        column,
                        sign * c.downloads[e]);
                all += c.downloads[e];
            }
            sums.add(0, content, scopes.size(), column, sign * all);
        }
    }

    private void top(int bucket, List<Ranking> out) {
        sortScopes();
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

    /** Renumbers the contents that still have downloads in either window, and their pairs only. */
    private void compact() {
        Map<String, Integer> keptIndex = new HashMap<>();
        List<String> keptIds = new ArrayList<>();
        List<String> keptTitles = new ArrayList<>();
        PairSums kept = new PairSums();
        for (int s = 0; s < sums.size(); s++) {
            if (sums.current(s) == 0 && sums.previous(s) == 0) {
                continue;
            }
            String id = contentIds.get(sums.content(s));
            Integer n = keptIndex.get(id);
            if (n == null) {
                n = keptIds.size();
                keptIndex.put(id, n);
                keptIds.add(id);
                keptTitles.add(titles.get(sums.content(s)));
            }
            kept.add(sums.scope(s), n, scopes.size(), CURRENT, sums.current(s));
            kept.add(sums.scope(s), n, scopes.size(), PREVIOUS, sums.previous(s));
        }
        contentIndex = keptIndex;
        contentIds = keptIds;
        titles = keptTitles;
        sums = kept;
    }

    private void sortScopes() {
        if (byName.length != scopes.size()) {
            byName = new Integer[scopes.size()];
            Arrays.setAll(byName, i -> i);
            Arrays.sort(byName, (a, b) -> scopes.get(a).compareTo(scopes.get(b)));
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

    /** A minute with its regions and contents numbered in these sums. */
    private record Numbered(MinuteCounts counts, int[] scopeOf, int[] contentOf) {}

    /**
     * Downloads per (scope, content) pair in the current and the previous window, in primitive
     * columns per slot. A content's slots are found through its own array indexed by scope, so
     * adding is two array reads, not a probe of a hash table. Contents and scopes are numbered
     * densely; both may grow.
     */
    private static final class PairSums {

        private int[][] slotOf = new int[1_024][];
        private int[] scopes = new int[1_024];
        private int[] contents = new int[1_024];
        private long[][] columns = {new long[1_024], new long[1_024]};
        private int size;

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

        /** Slots with downloads in either window. */
        int live() {
            int live = 0;
            for (int s = 0; s < size; s++) {
                if (columns[CURRENT][s] != 0 || columns[PREVIOUS][s] != 0) {
                    live++;
                }
            }
            return live;
        }

        /** Adds to a pair; {@code scopeCount} bounds the scope numbers so far. */
        void add(int scope, int content, int scopeCount, int column, long downloads) {
            if (content >= slotOf.length) {
                slotOf = Arrays.copyOf(slotOf, Math.max(content + 1, 2 * slotOf.length));
            }
            int[] slots = slotOf[content];
            if (slots == null || scope >= slots.length) {
                // Slot + 1, so a new array (all 0) needs no filling. Scopes only grow when a
                // region is seen for the first time.
                int length = Math.max(scope + 1, scopeCount);
                slots = slots == null ? new int[length] : Arrays.copyOf(slots, length);
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
