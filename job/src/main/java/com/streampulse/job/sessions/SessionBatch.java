package com.streampulse.job.sessions;

/**
 * The partials of one bucket of users in one window, from one flush of one pre-aggregator: what
 * crosses the network to {@link SessionBuilder}, one record per bucket instead of one per user. Not
 * sorted by user: sorting took about a tenth of the sessions' CPU in a profile of {@code make
 * bench-sessions}; what reading the users in key order saves in RocksDB was not measured.
 */
public class SessionBatch {

    public int bucket;
    public SessionPartial[] partials;

    public SessionBatch() {}

    public SessionBatch(int bucket, SessionPartial[] partials) {
        this.bucket = bucket;
        this.partials = partials;
    }

    /**
     * The bucket of a user: a fixed number, independent of the parallelism, so a rescale moves
     * whole buckets. From the hash code's mixed middle bits (as trending's buckets), not its low
     * ones, which hash maps of one bucket's users index by.
     */
    public static int bucket(String userId, int buckets) {
        return Math.floorMod((userId.hashCode() * 0x9E3779B9) >>> 16, buckets);
    }
}
