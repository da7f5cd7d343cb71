package com.streampulse.job.trending;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The N most downloaded of a stream of candidates, in rank order: downloads descending, then
 * content id ascending, so ties rank the same in every run. Bounded: holds at most N.
 */
public final class TopN {

    /** Best first. */
    public static final Comparator<Trend> RANK =
            Comparator.comparingLong(Trend::downloads).reversed().thenComparing(Trend::contentId);

    private final int n;
    private final PriorityQueue<Trend> worstFirst;

    public TopN(int n) {
        this.n = n;
        this.worstFirst = new PriorityQueue<>(n + 1, RANK.reversed());
    }

    public void offer(Trend t) {
        if (t.downloads() <= 0) {
            return;
        }
        worstFirst.add(t);
        if (worstFirst.size() > n) {
            worstFirst.poll();
        }
    }

    /** As {@link #offer(Trend)}, allocating only for a content that makes the list. */
    public void offer(String contentId, String title, long downloads, long previousDownloads) {
        if (!worstFirst.isEmpty() && worstFirst.size() >= n) {
            Trend worst = worstFirst.peek();
            if (downloads < worst.downloads()
                    || (downloads == worst.downloads()
                            && contentId.compareTo(worst.contentId()) > 0)) {
                return;
            }
        }
        offer(new Trend(contentId, title, downloads, previousDownloads));
    }

    public List<Trend> ranked() {
        List<Trend> ranked = new ArrayList<>(worstFirst);
        ranked.sort(RANK);
        return ranked;
    }

    /** The top N of several partial top-N lists over disjoint sets of contents. */
    public static List<Trend> merge(int n, Iterable<List<Trend>> partials) {
        TopN top = new TopN(n);
        for (List<Trend> partial : partials) {
            partial.forEach(top::offer);
        }
        return top.ranked();
    }

    /** One content's downloads in a window, and in the window of the same length before it. */
    public record Trend(String contentId, String title, long downloads, long previousDownloads) {}
}
