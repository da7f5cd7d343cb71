package com.streampulse.autoscaler.collect;

import com.streampulse.autoscaler.decide.Observation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The sliding window of samples for one deployment, turned into an {@link Observation}.
 *
 * <p>Offsets are committed only when a checkpoint completes, so the committed sum moves in steps.
 * The processed rate is therefore measured between the first and the last sample at which a new
 * commit was seen, not over the whole window, which would be off by up to a checkpoint interval.
 */
public final class RateWindow {

    private final Duration span;
    private final Deque<OffsetSample> samples = new ArrayDeque<>();
    private Instant lastCommitChange;
    private Instant firstSample;

    public RateWindow(Duration span) {
        this.span = span;
    }

    /** Forget everything: the job restarted or changed parallelism, old rates no longer apply. */
    public void reset() {
        samples.clear();
        lastCommitChange = null;
        firstSample = null;
    }

    public void add(OffsetSample sample) {
        OffsetSample previous = samples.peekLast();
        if (previous != null && !sample.time().isAfter(previous.time())) {
            return;
        }
        if (previous != null
                && (previous.partitions() != sample.partitions()
                        || sample.committedSum() < previous.committedSum())) {
            // Partitions added or offsets reset: the old samples measure something else.
            reset();
        }
        if (firstSample == null) {
            firstSample = sample.time();
        }
        previous = samples.peekLast();
        if (previous != null && sample.committedSum() != previous.committedSum()) {
            lastCommitChange = sample.time();
        }
        samples.addLast(sample);
        Instant horizon = sample.time().minus(span);
        while (samples.size() > 1 && samples.peekFirst().time().isBefore(horizon)) {
            samples.removeFirst();
        }
    }

    /** The window as the decision sees it; null before the first sample. */
    public Observation observe() {
        if (samples.isEmpty()) {
            return null;
        }
        OffsetSample first = samples.peekFirst();
        OffsetSample last = samples.peekLast();
        double seconds = Duration.between(first.time(), last.time()).toMillis() / 1000.0;
        double inputRate = seconds > 0 ? (last.endSum() - first.endSum()) / seconds : 0;

        long minLag = Long.MAX_VALUE;
        OffsetSample firstChange = null;
        OffsetSample lastChange = null;
        OffsetSample previous = null;
        OffsetSample beforeLast = null;
        for (OffsetSample s : samples) {
            minLag = Math.min(minLag, s.lag());
            if (previous != null && s.committedSum() != previous.committedSum()) {
                if (firstChange == null) {
                    firstChange = s;
                }
                lastChange = s;
            }
            beforeLast = previous;
            previous = s;
        }
        double processedRate = Double.NaN;
        if (firstChange != null && lastChange != firstChange) {
            double between =
                    Duration.between(firstChange.time(), lastChange.time()).toMillis() / 1000.0;
            processedRate = (lastChange.committedSum() - firstChange.committedSum()) / between;
        } else if (seconds > 0 && first.endSum() == last.endSum() && last.lag() == 0) {
            // Nothing arrived and nothing is owed: the job is idle, not stalled.
            processedRate = 0;
        }
        double latestInputRate = inputRate;
        if (beforeLast != null) {
            double latestSeconds =
                    Duration.between(beforeLast.time(), last.time()).toMillis() / 1000.0;
            latestInputRate = (last.endSum() - beforeLast.endSum()) / latestSeconds;
        }
        Instant progress = lastCommitChange != null ? lastCommitChange : firstSample;
        return new Observation(
                last.time(),
                first.time(),
                last.partitions(),
                last.partitionsWithoutCommit(),
                last.lag(),
                minLag,
                inputRate,
                processedRate,
                Duration.between(progress, last.time()),
                latestInputRate);
    }
}
