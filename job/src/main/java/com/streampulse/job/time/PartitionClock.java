package com.streampulse.job.time;

/**
 * What the event-time operator knows of one Kafka partition: the newest event time read from it
 * (bounded by the log's own clock), the last offset read, and when the last record arrived.
 */
final class PartitionClock {

    final int partition;

    /** Newest event time read, each bounded by its record's Kafka timestamp. */
    long newest = Long.MIN_VALUE;

    long lastOffset = -1;

    /** Processing time of the last record read since this start; MIN_VALUE if none. */
    long lastArrival = Long.MIN_VALUE;

    PartitionClock(int partition) {
        this.partition = partition;
    }

    /** Announced as assigned to this subtask's reader since this start. */
    boolean assigned;

    /** Assigned to this subtask's reader, or read by it: the subtask holds event time for it. */
    boolean readHere() {
        return assigned || readSinceStart();
    }

    /** {@code nextOffset} is negative while the reader has still to look its position up. */
    void assign(long nextOffset) {
        assigned = true;
        lastOffset = Math.max(lastOffset, nextOffset - 1);
    }

    boolean readSinceStart() {
        return lastArrival != Long.MIN_VALUE;
    }

    void read(long offset, long now) {
        lastOffset = Math.max(lastOffset, offset);
        lastArrival = now;
    }

    /** The last millisecond this partition's own clock has closed, given the out-of-orderness. */
    long closedUpTo(long outOfOrdernessMillis) {
        return newest == Long.MIN_VALUE ? Long.MIN_VALUE : newest - outOfOrdernessMillis - 1;
    }
}
