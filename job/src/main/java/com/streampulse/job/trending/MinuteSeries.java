package com.streampulse.job.trending;

import java.util.Arrays;

/**
 * Downloads of one content in one scope per window start, sparse and sorted: a title downloaded in
 * three of the last thirty minutes costs three pairs, not thirty. Mutable, kept in keyed state.
 */
public class MinuteSeries {

    /** The smallest title seen, so the result does not depend on arrival order. */
    public String title;

    public long[] starts = new long[0];
    public long[] counts = new long[0];

    public MinuteSeries() {}

    public MinuteSeries(String title) {
        this.title = title;
    }

    public void add(String title, long start, long downloads) {
        if (this.title == null || (title != null && title.compareTo(this.title) < 0)) {
            this.title = title;
        }
        int i = Arrays.binarySearch(starts, start);
        if (i >= 0) {
            counts[i] += downloads;
            return;
        }
        int at = -i - 1;
        starts = insert(starts, at, start);
        counts = insert(counts, at, downloads);
    }

    /** Downloads in windows starting in [{@code from}, {@code to}). */
    public long sum(long from, long to) {
        long sum = 0;
        for (int i = 0; i < starts.length; i++) {
            if (starts[i] >= from && starts[i] < to) {
                sum += counts[i];
            }
        }
        return sum;
    }

    /** Drops windows starting before {@code start}; true when nothing is left. */
    public boolean forgetBefore(long start) {
        int i = 0;
        while (i < starts.length && starts[i] < start) {
            i++;
        }
        if (i > 0) {
            starts = Arrays.copyOfRange(starts, i, starts.length);
            counts = Arrays.copyOfRange(counts, i, counts.length);
        }
        return starts.length == 0;
    }

    private static long[] insert(long[] a, int at, long value) {
        long[] b = new long[a.length + 1];
        System.arraycopy(a, 0, b, 0, at);
        b[at] = value;
        System.arraycopy(a, at, b, at + 1, a.length - at);
        return b;
    }
}
