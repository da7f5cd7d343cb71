package com.streampulse.job.records;

/**
 * What the Kafka source emits for each record: either a valid download or a rejection. Decoding
 * never throws, so every consumed record arrives here as exactly one of the two.
 */
public record Ingested(Download download, RejectedEvent rejected) {

    public static Ingested valid(Download download) {
        return new Ingested(download, null);
    }

    public static Ingested rejected(RejectedEvent rejected) {
        return new Ingested(null, rejected);
    }

    public boolean isValid() {
        return download != null;
    }
}
