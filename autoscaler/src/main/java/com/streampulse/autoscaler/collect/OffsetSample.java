package com.streampulse.autoscaler.collect;

import java.time.Instant;
import java.util.Map;

/**
 * One reading of a topic's end offsets and a consumer group's committed offsets, by partition. A
 * partition the group never committed for is absent from {@code committed}.
 */
public record OffsetSample(Instant time, Map<Integer, Long> end, Map<Integer, Long> committed) {

    public OffsetSample {
        end = Map.copyOf(end);
        committed = Map.copyOf(committed);
    }

    public int partitions() {
        return end.size();
    }

    /** Partitions that hold records but have no committed offset: their lag is unknown. */
    public int partitionsWithoutCommit() {
        int count = 0;
        for (var e : end.entrySet()) {
            if (e.getValue() > 0 && !committed.containsKey(e.getKey())) {
                count++;
            }
        }
        return count;
    }

    /** Sum over partitions of end minus committed; an empty uncommitted partition counts 0. */
    public long lag() {
        long lag = 0;
        for (var e : end.entrySet()) {
            long committedOffset = committed.getOrDefault(e.getKey(), 0L);
            lag += Math.max(0, e.getValue() - committedOffset);
        }
        return lag;
    }

    public long endSum() {
        return end.values().stream().mapToLong(Long::longValue).sum();
    }

    public long committedSum() {
        long sum = 0;
        for (var e : end.entrySet()) {
            sum += committed.getOrDefault(e.getKey(), 0L);
        }
        return sum;
    }
}
