package com.streampulse.generator;

/** Where generated records go: Kafka, a dump file, a test's list. */
public interface RecordSink extends AutoCloseable {

    void send(Outgoing record);

    /** Blocks until everything sent so far is stored; throws if any of it failed. */
    default void flush() {}

    @Override
    default void close() {}
}
