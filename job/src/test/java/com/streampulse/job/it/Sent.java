package com.streampulse.job.it;

/**
 * A test record as it landed in Kafka.
 *
 * @param logTimestamp the Kafka record's timestamp (what the validator judges "in the future"
 *     against), or -1 where the sender did not keep it
 */
public record Sent(TestEvent record, String topic, int partition, long offset, long logTimestamp) {

    public Sent(TestEvent record, String topic, int partition, long offset) {
        this(record, topic, partition, offset, -1);
    }
}
