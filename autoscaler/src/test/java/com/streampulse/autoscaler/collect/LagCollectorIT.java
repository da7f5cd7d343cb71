package com.streampulse.autoscaler.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.testkit.EmbeddedKafka;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Lag read with the Admin client from a real broker, for a group that really committed. */
class LagCollectorIT {

    static final String TOPIC = "content-downloads";
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    static EmbeddedKafka kafka;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic(TOPIC, 3);
        admin = Admin.create(kafka.clientProperties());
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            // 10 records on partition 0, 20 on partition 1, 30 on partition 2.
            for (int partition = 0; partition < 3; partition++) {
                for (int i = 0; i < 10 * (partition + 1); i++) {
                    producer.send(new ProducerRecord<>(TOPIC, partition, null, new byte[] {1}));
                }
            }
            producer.flush();
        }
        // The job's group: it consumed and committed 4 on partition 0 and 15 on partition 1.
        Properties c = kafka.clientProperties();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "streampulse-processor");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            consumer.assign(List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1)));
            consumer.commitSync(
                    Map.of(
                            new TopicPartition(TOPIC, 0), new OffsetAndMetadata(4),
                            new TopicPartition(TOPIC, 1), new OffsetAndMetadata(15)));
        }
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    final LagCollector collector = new LagCollector(admin, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void readsEndAndCommittedOffsetsPerPartition() {
        OffsetSample sample = collector.read("streampulse-processor", TOPIC);
        assertThat(sample.time()).isEqualTo(NOW);
        assertThat(sample.end()).isEqualTo(Map.of(0, 10L, 1, 20L, 2, 30L));
        assertThat(sample.committed()).isEqualTo(Map.of(0, 4L, 1, 15L));
        // Partition 2 holds records the group never committed: its lag is unknown.
        assertThat(sample.partitionsWithoutCommit()).isEqualTo(1);
        assertThat(sample.lag()).isEqualTo(6 + 5 + 30);
    }

    @Test
    void aGroupThatNeverCommittedHasNoCommittedOffsets() {
        OffsetSample sample = collector.read("nobody", TOPIC);
        assertThat(sample.committed()).isEmpty();
        assertThat(sample.partitionsWithoutCommit()).isEqualTo(3);
    }

    @Test
    void aMissingTopicIsACollectError() {
        assertThatThrownBy(() -> collector.read("streampulse-processor", "no-such-topic"))
                .isInstanceOf(LagCollector.CollectException.class)
                .hasMessageContaining("no-such-topic")
                .hasMessageContaining("UnknownTopicOrPartitionException");
    }
}
