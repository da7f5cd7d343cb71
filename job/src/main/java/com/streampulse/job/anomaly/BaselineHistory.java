package com.streampulse.job.anomaly;

import com.streampulse.job.records.WindowCounts;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The baselines one region has learned, by cut-off: the entry at {@code end} is the baseline of the
 * window that ended there, after learning it. With the hour-of-day profile a window learns into,
 * and is judged by, the newest baseline of its own UTC hour; without it every window shares one.
 * Pure functions over the map the detector keeps in state, so the rule is tested without Flink.
 */
public final class BaselineHistory {

    private static final long HOUR = 3_600_000L;

    private final long windowMillis;
    private final AnomalySettings settings;

    public BaselineHistory(long windowMillis, AnomalySettings settings) {
        this.windowMillis = windowMillis;
        this.settings = settings;
    }

    /** Which baseline a window starting at {@code windowStart} belongs to: its hour, or 0. */
    int profile(long windowStart) {
        return settings.hourOfDay() ? (int) Math.floorMod(windowStart / HOUR, 24L) : 0;
    }

    /**
     * Learns {@code finals} (window start → counts, final windows not learned yet) oldest first
     * into {@code history}; returns the entries it added, by cut-off.
     */
    public SortedMap<Long, Baseline> learn(
            NavigableMap<Long, Baseline> history, SortedMap<Long, WindowCounts> finals) {
        SortedMap<Long, Baseline> added = new TreeMap<>();
        for (Map.Entry<Long, WindowCounts> e : finals.entrySet()) {
            long end = e.getKey() + windowMillis;
            Baseline learned = newest(history, end, e.getKey()).learn(e.getValue(), settings);
            history.put(end, learned);
            added.put(end, learned);
        }
        return added;
    }

    /**
     * The baseline a window starting at {@code windowStart} is judged by: the newest one of its
     * profile learned from windows that ended by {@code cutoff}.
     */
    public Baseline asOf(NavigableMap<Long, Baseline> history, long cutoff, long windowStart) {
        return newest(history, cutoff, windowStart);
    }

    /**
     * The cut-offs no firing can ask for any more, when every later one has a cut-off after {@code
     * oldestCutoff}: per profile, all but the newest at or before it.
     */
    public List<Long> obsolete(NavigableMap<Long, Baseline> history, long oldestCutoff) {
        List<Long> obsolete = new ArrayList<>();
        Set<Integer> kept = new HashSet<>();
        for (Long end : history.headMap(oldestCutoff, true).descendingKeySet()) {
            if (!kept.add(profile(end - windowMillis))) {
                obsolete.add(end);
            }
        }
        return obsolete;
    }

    private Baseline newest(NavigableMap<Long, Baseline> history, long upTo, long windowStart) {
        int profile = profile(windowStart);
        for (Map.Entry<Long, Baseline> e : history.headMap(upTo, true).descendingMap().entrySet()) {
            if (profile(e.getKey() - windowMillis) == profile) {
                return e.getValue();
            }
        }
        return Baseline.EMPTY;
    }
}
