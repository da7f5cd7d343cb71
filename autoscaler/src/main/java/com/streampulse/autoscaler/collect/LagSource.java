package com.streampulse.autoscaler.collect;

/** Where samples come from: Kafka in production ({@link LagCollector}), a script in tests. */
@FunctionalInterface
public interface LagSource {

    /** Throws {@link LagCollector.CollectException} when the offsets can't be read. */
    OffsetSample read(String groupId, String topic);
}
