package com.streampulse.job.aggregate;

import java.util.Map;
import java.util.TreeMap;

/**
 * The first and last Kafka offset read per partition: where the events of one window's partial sums
 * came from, so a partial the windows drop can still be re-read and replayed.
 */
final class OffsetRanges {

    private final Map<Integer, long[]> ranges = new TreeMap<>();

    void add(int partition, long offset) {
        long[] range = ranges.get(partition);
        if (range == null) {
            ranges.put(partition, new long[] {offset, offset});
        } else {
            range[0] = Math.min(range[0], offset);
            range[1] = Math.max(range[1], offset);
        }
    }

    /** {@code partition:first-last}, comma separated, in partition order. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        ranges.forEach(
                (partition, range) -> {
                    if (!text.isEmpty()) {
                        text.append(',');
                    }
                    text.append(partition)
                            .append(':')
                            .append(range[0])
                            .append('-')
                            .append(range[1]);
                });
        return text.toString();
    }
}
