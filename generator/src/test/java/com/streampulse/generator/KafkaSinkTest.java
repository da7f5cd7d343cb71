package com.streampulse.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.config.KafkaSettings;
import com.streampulse.config.Settings;
import com.streampulse.job.ingest.EventDecoder;
import com.streampulse.job.ingest.SingleObjectDecoder;
import com.streampulse.schemas.SchemaVersions;
import com.streampulse.testkit.EmbeddedKafka;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real broker: what is sent is what the topic holds, key = region. */
class KafkaSinkTest {

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    static KafkaSettings settings(String topic) {
        return KafkaSettings.from(
                Settings.of(
                        Map.of(
                                "KAFKA_BOOTSTRAP_SERVERS",
                                kafka.bootstrapServers(),
                                "KAFKA_TOPIC",
                                topic),
                        new String[0]));
    }

    @Test
    void sentRecordsLandOnTheTopicWithTheRegionAsKey() {
        List<Outgoing> sent = new ArrayList<>();
        SyntheticSource source =
                new SyntheticSource(
                        SyntheticOptions.plain(3, Instant.now(), 0).withBadInput(0.05, 0.05));
        try (KafkaSink sink = KafkaSink.open(settings("sink-test"), Duration.ofSeconds(10), 3)) {
            RecordSink recording =
                    new RecordSink() {
                        @Override
                        public void send(Outgoing record) {
                            sent.add(record);
                            sink.send(record);
                        }

                        @Override
                        public void flush() {
                            sink.flush();
                        }
                    };
            new Generator(
                            source,
                            List.of(recording),
                            0,
                            1_000,
                            null,
                            null,
                            new PrintStream(OutputStream.nullOutputStream()))
                    .run();
            assertThat(sink.acknowledged()).isEqualTo(1_000);
        }
        List<ConsumerRecord<byte[], byte[]>> received = consumeAll("sink-test", 3, 1_000);
        assertThat(received).hasSize(1_000);
        // Per partition the order is kept, and one region always lands on one partition.
        for (ConsumerRecord<byte[], byte[]> record : received) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            assertThat(Catalogue.region(key)).isNotNull();
        }
        List<String> sentValues =
                sent.stream()
                        .map(o -> o.key() + ":" + java.util.HexFormat.of().formatHex(o.value()))
                        .sorted()
                        .toList();
        List<String> receivedValues =
                received.stream()
                        .map(
                                r ->
                                        new String(r.key(), StandardCharsets.UTF_8)
                                                + ":"
                                                + java.util.HexFormat.of().formatHex(r.value()))
                        .sorted()
                        .toList();
        assertThat(receivedValues).isEqualTo(sentValues);
    }

    @Test
    void singleObjectRunSendsTheSameEventsAsAnUpgradedProducer() throws Exception {
        String start = "2026-01-01T00:00:00Z";
        int exit =
                GeneratorMain.run(
                        Map.of(
                                "KAFKA_BOOTSTRAP_SERVERS",
                                kafka.bootstrapServers(),
                                "KAFKA_TOPIC",
                                "single-object-test"),
                        new String[] {
                            "--encoding",
                            "single-object",
                            "--schema-version",
                            "2",
                            "--count",
                            "200",
                            "--rate",
                            "0",
                            "--seed",
                            "5",
                            "--start-time",
                            start,
                            "--create-topic",
                            "--partitions",
                            "2"
                        });
        assertThat(exit).isZero();

        List<ConsumerRecord<byte[], byte[]>> received = consumeAll("single-object-test", 2, 200);
        // The job's own decoder reads what the job would read from plain binary of the same run.
        SyntheticSource plain =
                new SyntheticSource(SyntheticOptions.plain(5, Instant.parse(start), 0));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            expected.add(EventDecoder.decode(plain.next().value()).toString());
        }
        List<String> decoded = new ArrayList<>();
        byte[] header = new byte[10];
        for (ConsumerRecord<byte[], byte[]> r : received) {
            System.arraycopy(r.value(), 0, header, 0, 10);
            assertThat(header).isEqualTo(singleObjectHeader(2));
            decoded.add(SingleObjectDecoder.decode(r.value()).toString());
        }
        assertThat(decoded).containsExactlyInAnyOrderElementsOf(expected);
    }

    static byte[] singleObjectHeader(int version) {
        long fingerprint = SchemaVersions.get(version).fingerprint();
        byte[] header = {(byte) 0xC3, 0x01, 0, 0, 0, 0, 0, 0, 0, 0};
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
    }

    @Test
    void missingTopicIsOneClearLine() {
        assertThatThrownBy(() -> KafkaSink.open(settings("nope"), Duration.ofSeconds(5), 0))
                .isInstanceOf(GeneratorException.class)
                .hasMessage(
                        "Topic 'nope' does not exist: create it, or pass --create-topic"
                                + " (--partitions N)");
    }

    static List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic, int partitions, int n) {
        Properties props = kafka.clientProperties();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (all.size() < n && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
            return all;
        }
    }
}
