package com.streampulse.autoscaler.collect;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Reads end offsets and a group's committed offsets with the Kafka Admin client. */
public final class LagCollector implements LagSource {

    private static final long TIMEOUT_SECONDS = 10;

    private final Admin admin;
    private final Clock clock;

    public LagCollector(Admin admin, Clock clock) {
        this.admin = admin;
        this.clock = clock;
    }

    /** One sample; throws {@link CollectException} when Kafka can't be read. */
    @Override
    public OffsetSample read(String groupId, String topic) {
        try {
            TopicDescription description =
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                            .get(topic);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            description
                    .partitions()
                    .forEach(
                            p ->
                                    latest.put(
                                            new TopicPartition(topic, p.partition()),
                                            OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(groupId)
                            .partitionsToOffsetAndMetadata()
                            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<Integer, Long> end = new HashMap<>();
            ends.forEach((tp, info) -> end.put(tp.partition(), info.offset()));
            Map<Integer, Long> done = new HashMap<>();
            committed.forEach(
                    (tp, om) -> {
                        if (om != null
                                && tp.topic().equals(topic)
                                && end.containsKey(tp.partition())) {
                            done.put(tp.partition(), om.offset());
                        }
                    });
            return new OffsetSample(clock.instant(), end, done);
        } catch (ExecutionException e) {
            throw new CollectException(
                    "Reading offsets of group "
                            + groupId
                            + " on "
                            + topic
                            + " failed: "
                            + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new CollectException(
                    "Reading offsets of group " + groupId + " on " + topic + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectException("Interrupted reading offsets", e);
        }
    }

    /** Kafka could not be read; the round is skipped for this deployment. */
    public static final class CollectException extends RuntimeException {
        public CollectException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
