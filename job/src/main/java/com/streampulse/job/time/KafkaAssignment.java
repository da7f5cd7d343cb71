package com.streampulse.job.time;

/**
 * Which reader of a Kafka source reads a partition: the rule of the connector's {@code
 * KafkaSourceEnumerator} (a round robin starting at a reader chosen by the topic's hash). Event
 * time needs it to hold back for partitions assigned but not read yet. {@code KafkaAssignmentTest}
 * checks it against the connector itself, so an upgrade that changes the rule fails the build
 * instead of event time.
 */
public final class KafkaAssignment {

    private KafkaAssignment() {}

    public static int reader(String topic, int partition, int readers) {
        int first = ((topic.hashCode() * 31) & 0x7FFFFFFF) % readers;
        return (first + partition) % readers;
    }
}
