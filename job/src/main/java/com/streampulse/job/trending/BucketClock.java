package com.streampulse.job.trending;

/**
 * Where one trending bucket stands in event time (all times are window boundaries, in epoch ms).
 *
 * @param published the newest window end whose ranking the bucket has sent (Long.MIN_VALUE: none)
 * @param lateFrom the oldest window start a late partial changed since then (Long.MAX_VALUE: none)
 * @param newestStart the newest window start the bucket has downloads in
 * @param chunks batches stored as chunks of their window since every chunk was last merged: the
 *     next one is stored under {@code windowStart + 1 + chunks}
 */
public record BucketClock(long published, long lateFrom, long newestStart, int chunks) {

    public static final BucketClock NEW =
            new BucketClock(Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 0);
}
