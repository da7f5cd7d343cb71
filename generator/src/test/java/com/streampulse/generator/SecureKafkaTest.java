package com.streampulse.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.testkit.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generator against a broker that only accepts SASL SCRAM-SHA-256 clients, configured with the
 * job's variables: the right credentials deliver every event; a wrong password ends with one line
 * and a non-zero exit, and the password appears in nothing it prints.
 */
class SecureKafkaTest {

    private static final String USER = "streampulse-producer";
    private static final String PASSWORD = "producer-S3cret-4d1f";
    private static final String WRONG = "wrong-S3cret-90ab";

    private static EmbeddedKafka kafka;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.startWithScram(USER, PASSWORD);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @BeforeEach
    void capture() {
        originalOut = System.out;
        originalErr = System.err;
        PrintStream both = new PrintStream(printed, true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private static Map<String, String> env(String topic, String password) {
        return Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "KAFKA_TOPIC", topic,
                "KAFKA_USERNAME", USER,
                "KAFKA_PASSWORD", password,
                "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
    }

    @Test
    void rightCredentialsDeliverEveryEvent() {
        kafka.createTopic("secure-ok", 2);

        int exit =
                GeneratorMain.run(
                        env("secure-ok", PASSWORD),
                        new String[] {"--count", "300", "--seed", "7", "--rate", "0"});

        assertThat(exit).as(printed()).isZero();
        assertThat(countRecords("secure-ok", 2, 300)).isEqualTo(300);
        assertThat(printed()).doesNotContain(PASSWORD);
    }

    @Test
    void wrongPasswordIsOneLineWithoutTheSecret() {
        kafka.createTopic("secure-wrong", 2);

        int exit =
                GeneratorMain.run(
                        env("secure-wrong", WRONG),
                        new String[] {"--count", "10", "--connect-timeout", "5s"});

        assertThat(exit).isEqualTo(1);
        assertThat(printed().lines()).hasSize(1);
        assertThat(printed()).startsWith("❌").doesNotContain(WRONG).doesNotContain(PASSWORD);
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8).strip();
    }

    /** Reads over the test kit's own listener, so the count does not depend on the SASL path. */
    private static int countRecords(String topic, int partitions, int expected) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        kafka.adminProperties(),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                all.add(new TopicPartition(topic, p));
            }
            consumer.assign(all);
            consumer.seekToBeginning(all);
            int count = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (count < expected && System.nanoTime() < deadline) {
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }
}
