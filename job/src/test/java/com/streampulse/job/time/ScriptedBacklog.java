package com.streampulse.job.time;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link BacklogProbe} the test scripts: where each partition ends, and whether Kafka answers at
 * all. Like the real probe, an answer only counts for records that arrived before it was asked. The
 * test harness does not serialize the operator, so the test keeps a reference to this one.
 */
final class ScriptedBacklog implements BacklogProbe, BacklogProbe.Session {

    private final Map<Integer, Long> ends = new HashMap<>();
    private boolean reachable = true;
    private int partitionCount;
    private long lastAsked = Long.MIN_VALUE;

    /** Partition {@code partition} ends at {@code endOffset} (the next offset to be written). */
    ScriptedBacklog endsAt(int partition, long endOffset) {
        ends.put(partition, endOffset);
        return this;
    }

    /** The topic has this many partitions (0: go by the partitions read, as for other sources). */
    ScriptedBacklog partitions(int count) {
        this.partitionCount = count;
        return this;
    }

    /** Whether the brokers answer. */
    ScriptedBacklog reachable(boolean reachable) {
        this.reachable = reachable;
        return this;
    }

    @Override
    public Session open() {
        return this;
    }

    @Override
    public void request(Collection<Integer> partitions, long now) {
        if (reachable && !partitions.isEmpty()) {
            lastAsked = now;
        }
    }

    @Override
    public boolean caughtUp(int partition, long lastOffset, long lastArrival) {
        return reachable
                && lastAsked >= lastArrival
                && ends.getOrDefault(partition, 0L) <= lastOffset + 2;
    }

    @Override
    public int partitionCount() {
        return partitionCount;
    }

    @Override
    public void close() {}
}
