package com.streampulse.autoscaler.decide;

import java.time.Duration;
import java.time.Instant;

/**
 * What the collector saw of one consumer group on one topic, over the sliding window.
 *
 * @param time when the newest sample was read
 * @param windowStart when the oldest sample in the window was read
 * @param partitions the topic's partition count
 * @param partitionsWithoutCommit partitions holding records that the group never committed for
 * @param lag total lag (end offset minus committed offset) in the newest sample
 * @param minLag the smallest total lag of any sample in the window
 * @param inputRate records per second appended to the topic over the window
 * @param processedRate records per second committed by the group, measured between the first and
 *     the last commit seen in the window (offsets move only on checkpoints); NaN when fewer than
 *     two commits were seen
 * @param commitStalledFor how long the committed offsets have not moved
 * @param latestInputRate records per second appended between the last two samples: the load now,
 *     where {@code inputRate} averages the whole window and trails a sudden rise
 */
public record Observation(
        Instant time,
        Instant windowStart,
        int partitions,
        int partitionsWithoutCommit,
        long lag,
        long minLag,
        double inputRate,
        double processedRate,
        Duration commitStalledFor,
        double latestInputRate) {

    /** A window whose input rate did not change within it. */
    public Observation(
            Instant time,
            Instant windowStart,
            int partitions,
            int partitionsWithoutCommit,
            long lag,
            long minLag,
            double inputRate,
            double processedRate,
            Duration commitStalledFor) {
        this(
                time,
                windowStart,
                partitions,
                partitionsWithoutCommit,
                lag,
                minLag,
                inputRate,
                processedRate,
                commitStalledFor,
                inputRate);
    }

    public Duration span() {
        return Duration.between(windowStart, time);
    }

    public boolean hasProcessedRate() {
        return !Double.isNaN(processedRate);
    }
}
