package com.streampulse.job.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.config.JobConfig;
import com.streampulse.job.it.Pipeline;
import com.streampulse.job.it.RandomTraffic;
import com.streampulse.job.it.Sent;
import com.streampulse.job.it.TestEvent;
import com.streampulse.testkit.EmbeddedKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import kafka.server.BrokerServer;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Kafka broker is shut down mid-run and started again on the same port with the same log
 * directories (what a broker pod restart looks like to a client): the job rides it out and the
 * tables end exactly as a failure-free run computes them.
 *
 * <p>The project's {@code EmbeddedKafka} cannot restart its broker (it hides the test kit and binds
 * port 0, so a restarted broker would come back on another port), so this test builds its own
 * single-node KRaft cluster from the same test kit with fixed ports. PostgreSQL comes from {@link
 * Pipeline}.
 */
class KafkaRestartIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final int RECORDS = 2_000;
    private static final Duration OUTAGE = Duration.ofSeconds(10);

    private static Pipeline pipeline;
    private static KafkaClusterTestKit kafka;

    @BeforeAll
    static void start() throws Exception {
        pipeline = new Pipeline();
        int brokerPort = freePort();
        int controllerPort = freePort();
        kafka =
                new KafkaClusterTestKit.Builder(
                                new TestKitNodes.Builder()
                                        .setCombined(true)
                                        .setNumBrokerNodes(1)
                                        .setNumControllerNodes(1)
                                        .build())
                        .setConfigProp(
                                "listeners",
                                "EXTERNAL://localhost:"
                                        + brokerPort
                                        + ",CONTROLLER://localhost:"
                                        + controllerPort)
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("offsets.topic.num.partitions", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
        pipeline.close();
    }

    @Test
    void brokerRestartMidRunChangesNoResult() throws Exception {
        Path checkpoints = Files.createTempDirectory("faults-checkpoints");
        String topic = pipeline.reset();
        try (Admin admin = Admin.create(clientProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, Pipeline.PARTITIONS, (short) 1)))
                    .all()
                    .get();
        }
        EmbeddedKafka.awaitLeaders(clientProperties(), topic, Pipeline.PARTITIONS);
        List<Sent> sent = send(topic, RandomTraffic.records(new Random(61), RECORDS));
        FaultyDeserializer.plan(2_500, List.of());
        // Adversarial clocks: the outage (10 s) is five times the idleness, and 1 s windows with
        // 2 s of lateness turn any event time that runs ahead of the backlog into LATE rows.
        // Before event time asked Kafka whether anything was unread, the silent input counted as
        // idle after 2 s and the wall clock carried event time 8 s past the records still
        // waiting in the broker.
        JobConfig config =
                pipeline.config(
                        "--kafka-bootstrap-servers=" + kafka.bootstrapServers(),
                        "--window-size=1s",
                        "--allowed-lateness=2s",
                        "--idleness=2s",
                        "--checkpoint-interval=300ms",
                        "--checkpoint-dir=" + checkpoints.toUri());

        // Small fetches, so the consumer cannot have the whole topic buffered before the outage.
        JobClient job =
                FaultRun.submit(
                        pipeline,
                        config,
                        2,
                        null,
                        true,
                        source ->
                                source.setProperty("max.partition.fetch.bytes", "2048")
                                        .setProperty("fetch.max.bytes", "4096"));
        assertThat(FaultRun.await(() -> FaultyDeserializer.read() >= RECORDS / 4, FaultRun.TIMEOUT))
                .isTrue();
        BrokerServer broker = kafka.brokers().values().iterator().next();
        broker.shutdown();
        broker.awaitShutdown();
        long readAtShutdown = FaultyDeserializer.read();
        Instant restartAt = Instant.now().plus(OUTAGE);
        while (Instant.now().isBefore(restartAt)) {
            Thread.sleep(200); // the outage itself, not synchronisation
        }
        long readAtRestart = FaultyDeserializer.read();
        assertThat(readAtRestart)
                .as("the outage stalled the job mid-stream (%d read at shutdown)", readAtShutdown)
                .isLessThan(RECORDS)
                .isLessThan(readAtShutdown + 300);
        broker.startup();
        kafka.waitForReadyBrokers();
        job.getJobExecutionResult().get(FaultRun.TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        assertThat(FaultyDeserializer.read()).isGreaterThanOrEqualTo(RECORDS);
        assertThat(pipeline.snapshot().toString())
                .as("broker restarted after %s, idleness %s", OUTAGE, config.idleness())
                .isEqualTo(RandomTraffic.expected(config, sent).toString());
    }

    private static Properties clientProperties() {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        return props;
    }

    private static List<Sent> send(String topic, List<TestEvent> records) throws Exception {
        Properties props = clientProperties();
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        // Small batches: a fetch returns whole batches, so big ones would let the consumer hold
        // most of the topic in its buffer before the outage.
        props.put("batch.size", "512");
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (TestEvent r : records) {
                acks.add(
                        producer.send(
                                new ProducerRecord<>(topic, r.partition(), r.key(), r.value())));
            }
            producer.flush();
            List<Sent> sent = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                RecordMetadata m = acks.get(i).get();
                sent.add(new Sent(records.get(i), m.topic(), m.partition(), m.offset()));
            }
            return sent;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
