package com.streampulse.job.records;

/**
 * What the Kafka source emits: for each record either a valid download or a rejection (decoding
 * never throws, so every consumed record arrives as exactly one of the two), and, before a
 * partition's first record, that the partition has been assigned to this reader.
 */
public record Ingested(Download download, RejectedEvent rejected, Assigned assigned) {

    /**
     * A partition this reader reads from now on, and the next offset it will read; negative while
     * the reader has still to look it up (committed, earliest or latest).
     */
    public record Assigned(int partition, long nextOffset) {}

    public static Ingested valid(Download download) {
        return new Ingested(download, null, null);
    }

    public static Ingested rejected(RejectedEvent rejected) {
        return new Ingested(null, rejected, null);
    }

    public static Ingested assigned(int partition, long nextOffset) {
        return new Ingested(null, null, new Assigned(partition, nextOffset));
    }

    public boolean isValid() {
        return download != null;
    }
}
