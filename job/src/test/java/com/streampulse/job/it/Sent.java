package com.streampulse.job.it;

/** A test record as it landed in Kafka. */
public record Sent(TestEvent record, String topic, int partition, long offset) {}
