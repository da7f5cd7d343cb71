package com.streampulse.autoscaler.collect;

import com.streampulse.autoscaler.kube.JobManagerClient.SourceCounters;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * Flink's own view of the source, from its counters read over a sliding window: records taken in
 * per second of busy time, summed over the subtasks, is one instance's capacity (what the
 * operator's autoscaler calls the true processing rate, there per vertex, here per instance), and
 * the share of time the subtasks waited for input tells a saturated source from one that is not.
 * All counters of a reading come from the same metric snapshot, so the JobManager's metric fetcher
 * lagging behind (10 s by default) shifts them together and leaves their quotients right.
 *
 * <p>The counters start at zero with every task attempt: a new job, another parallelism or a
 * counter that went back (a restart) starts the window over.
 */
public final class FlinkCapacityWindow {

    /** Below this average busy share per subtask the capacity quotient is mostly noise. */
    static final double MIN_BUSY_SHARE = 0.05;

    private record Sample(Instant time, SourceCounters counters) {}

    private final Duration span;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private String job;
    private int parallelism;

    public FlinkCapacityWindow(Duration span) {
        this.span = span;
    }

    public void add(String job, int parallelism, Instant time, SourceCounters counters) {
        Sample last = samples.peekLast();
        if (!job.equals(this.job)
                || parallelism != this.parallelism
                || (last != null
                        && (counters.recordsIn() < last.counters.recordsIn()
                                || counters.busyMs() < last.counters.busyMs()
                                || counters.idleMs() < last.counters.idleMs()))) {
            samples.clear();
            this.job = job;
            this.parallelism = parallelism;
        }
        if (!samples.isEmpty() && !time.isAfter(samples.peekLast().time)) {
            return;
        }
        samples.addLast(new Sample(time, counters));
        // Keep the last reading at or before the horizon: the window spans at least its length.
        Instant horizon = time.minus(span);
        while (samples.size() > 2 && !secondOldest().time.isAfter(horizon)) {
            samples.removeFirst();
        }
    }

    private Sample secondOldest() {
        Iterator<Sample> it = samples.iterator();
        it.next();
        return it.next();
    }

    public void reset() {
        samples.clear();
        job = null;
    }

    /**
     * Records per second one instance processes when fully busy; NaN until two readings exist, or
     * when the subtasks were busy less than {@value #MIN_BUSY_SHARE} of the time.
     */
    public double capacityPerInstance() {
        if (samples.size() < 2) {
            return Double.NaN;
        }
        Sample first = samples.peekFirst();
        Sample last = samples.peekLast();
        double seconds = Duration.between(first.time, last.time).toMillis() / 1000.0;
        double busySeconds = (last.counters.busyMs() - first.counters.busyMs()) / 1000.0;
        double records = last.counters.recordsIn() - first.counters.recordsIn();
        if (seconds <= 0 || records <= 0 || busySeconds < MIN_BUSY_SHARE * seconds * parallelism) {
            return Double.NaN;
        }
        return records / busySeconds;
    }

    /**
     * The share of the window the subtasks waited for input, of the time they were busy or idle
     * (back-pressure is neither; the counters' own sum is the denominator because the fetcher's
     * snapshots lag the wall clock). Until the counters have moved within the window, the share
     * since the tasks started (what the counters count); NaN before the first reading.
     */
    public double idleShare() {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        SourceCounters first = samples.peekFirst().counters;
        SourceCounters last = samples.peekLast().counters;
        double idle = last.idleMs() - first.idleMs();
        double accounted = idle + last.busyMs() - first.busyMs();
        if (accounted > 0) {
            return idle / accounted;
        }
        double sinceStart = last.idleMs() + last.busyMs();
        return sinceStart > 0 ? last.idleMs() / sinceStart : Double.NaN;
    }
}
