package com.streampulse.generator;

import com.streampulse.config.KafkaSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends records to the topic with the same connection settings as the job. Before the first record
 * it asks the cluster who it is and whether the topic exists, so an unreachable broker or a missing
 * topic is one clear line instead of a producer blocking for a minute.
 */
public final class KafkaSink implements RecordSink {

    private final KafkaSettings kafka;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final AtomicLong acknowledged = new AtomicLong();

    private KafkaSink(KafkaSettings kafka, KafkaProducer<byte[], byte[]> producer) {
        this.kafka = kafka;
        this.producer = producer;
    }

    /**
     * Checks the connection and the topic, then opens a producer.
     *
     * @param createPartitions create the topic with this many partitions when it is missing; 0
     *     means a missing topic is an error
     */
    public static KafkaSink open(KafkaSettings kafka, Duration timeout, int createPartitions) {
        int partitions = preflight(kafka, timeout, createPartitions);
        Properties props = kafka.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout.toMillis()));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
        props.put(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis() * 3));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "streampulse-generator");
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        System.out.println(
                "✅ Connected to Kafka at "
                        + kafka.bootstrapServers()
                        + " (topic "
                        + kafka.topic()
                        + ", "
                        + partitions
                        + " partitions)");
        return new KafkaSink(kafka, producer);
    }

    /** Returns the topic's partition count, creating it when asked to. */
    static int preflight(KafkaSettings kafka, Duration timeout, int createPartitions) {
        Properties props = kafka.clientProperties();
        int millis = (int) timeout.toMillis();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(millis));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(millis));
        try (Admin admin = Admin.create(props)) {
            try {
                admin.describeCluster().nodes().get(millis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw unreachable(kafka, timeout);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                    throw unreachable(kafka, timeout);
                }
                throw new GeneratorException(
                        "Cannot connect to Kafka at "
                                + kafka.bootstrapServers()
                                + ": "
                                + e.getCause().getMessage());
            }
            return describeOrCreate(admin, kafka.topic(), createPartitions, millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GeneratorException("Interrupted while connecting to Kafka");
        }
    }

    private static GeneratorException unreachable(KafkaSettings kafka, Duration timeout) {
        return new GeneratorException(
                "Cannot reach Kafka at "
                        + kafka.bootstrapServers()
                        + " within "
                        + timeout.toSeconds()
                        + " s: check KAFKA_BOOTSTRAP_SERVERS (--kafka-bootstrap-servers), that"
                        + " the broker runs, and the credentials");
    }

    private static int describeOrCreate(Admin admin, String topic, int createPartitions, int millis)
            throws InterruptedException {
        try {
            Map<String, TopicDescription> topics =
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(millis, TimeUnit.MILLISECONDS);
            return topics.get(topic).partitions().size();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw new GeneratorException(
                        "Cannot describe topic " + topic + ": " + e.getCause().getMessage());
            }
        } catch (TimeoutException e) {
            throw new GeneratorException("Timed out describing topic " + topic);
        }
        if (createPartitions <= 0) {
            throw new GeneratorException(
                    "Topic '"
                            + topic
                            + "' does not exist: create it, or pass --create-topic"
                            + " (--partitions N)");
        }
        try {
            admin.createTopics(List.of(new NewTopic(topic, createPartitions, (short) 1)))
                    .all()
                    .get(millis, TimeUnit.MILLISECONDS);
            System.out.println(
                    "✅ Created topic " + topic + " with " + createPartitions + " partitions");
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new GeneratorException(
                        "Cannot create topic " + topic + ": " + e.getCause().getMessage());
            }
        } catch (TimeoutException e) {
            throw new GeneratorException("Timed out creating topic " + topic);
        }
        return createPartitions;
    }

    @Override
    public void send(Outgoing record) {
        Exception earlier = failure.get();
        if (earlier != null) {
            throw failed(earlier);
        }
        producer.send(
                new ProducerRecord<>(kafka.topic(), record.keyBytes(), record.value()),
                (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    } else {
                        acknowledged.incrementAndGet();
                    }
                });
    }

    private GeneratorException failed(Exception cause) {
        return new GeneratorException(
                "Kafka refused a record on topic " + kafka.topic() + ": " + cause.getMessage(),
                cause);
    }

    @Override
    public void flush() {
        producer.flush();
        Exception error = failure.get();
        if (error != null) {
            throw failed(error);
        }
    }

    /** Records the broker has confirmed so far. */
    public long acknowledged() {
        return acknowledged.get();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
