package com.streampulse.job.time;

/**
 * Which reader of a Kafka source a fresh start gives a partition: the rule of the connector's
 * {@code KafkaSourceEnumerator} (a round robin starting at a reader chosen by the topic's hash),
 * for tests that need a partition one subtask reads alone. {@code KafkaAssignmentTest} checks it
 * against the connector itself.
 */
public final class KafkaAssignment {

    private KafkaAssignment() {}

    public static int reader(String topic, int partition, int readers) {
        int first = ((topic.hashCode() * 31) & 0x7FFFFFFF) % readers;
        return (first + partition) % readers;
    }
}
