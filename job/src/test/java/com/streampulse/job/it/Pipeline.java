package com.streampulse.job.it;

import com.streampulse.config.Settings;
import com.streampulse.job.ResultSinks;
import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.records.Ingested;
import com.streampulse.job.sink.JdbcSinks;
import com.streampulse.testkit.EmbeddedKafka;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The real parts around the job in integration tests: a Kafka broker, a PostgreSQL server, and the
 * configuration that points the job at them. One per test class; {@link #reset} between tests.
 */
public final class Pipeline implements AutoCloseable {

    public static final int PARTITIONS = 3;

    private final EmbeddedKafka kafka;
    private final EmbeddedPostgresDb db = EmbeddedPostgresDb.start();
    private final KafkaProducer<byte[], byte[]> producer;
    private String topic;
    private int topics;

    public Pipeline() {
        this(EmbeddedKafka.start());
    }

    /**
     * Around a broker of the test's own (for example one behind a proxy); closed with the pipeline.
     * Test records are sent over the broker's admin listener, so they arrive whatever fault the
     * job's own connection suffers (the same listener as the clients' for a plain broker).
     */
    public Pipeline(EmbeddedKafka kafka) {
        this.kafka = kafka;
        Properties props = kafka.adminProperties();
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        props.put("linger.ms", "5");
        producer = new KafkaProducer<>(props);
    }

    /** A fresh topic and empty tables. */
    public String reset() {
        return reset(Map.of());
    }

    /** A fresh topic with these topic configurations, and empty tables. */
    public String reset(Map<String, String> topicConfigs) {
        db.truncateAll();
        topic = "downloads-" + (++topics);
        kafka.createTopic(topic, PARTITIONS, topicConfigs);
        return topic;
    }

    public EmbeddedPostgresDb db() {
        return db;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** The job's configuration for this pipeline, fast clocks for tests, overridden by flags. */
    public JobConfig config(String... flags) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("KAFKA_TOPIC", topic);
        env.put("KAFKA_GROUP_ID", "streampulse-" + topic);
        env.put("PG_HOST", "localhost");
        env.put("PG_PORT", Integer.toString(db.port()));
        env.put("PG_DATABASE", EmbeddedPostgresDb.DATABASE);
        env.put("PG_USER", EmbeddedPostgresDb.USER);
        env.put("PG_PASSWORD", EmbeddedPostgresDb.PASSWORD);
        env.put("PG_SSLMODE", "disable");
        env.put("OUT_OF_ORDERNESS", "2s");
        // Long enough that a partition whose first fetch is slow on a busy machine is not declared
        // idle (event time would run ahead without it and its backlog turn LATE), short enough
        // that the idle partition of CraftedEventsIT stops holding the windows back quickly.
        env.put("IDLENESS", "3s");
        env.put("CHECKPOINT_INTERVAL", "500ms");
        env.put("JDBC_BATCH_SIZE", "500");
        // Off in production by default, checked here.
        env.put("TRENDING_ENABLED", "true");
        env.put("SESSIONS_ENABLED", "true");
        return JobConfig.from(Settings.of(env, flags));
    }

    /** A MiniCluster with room for the job at parallelism 2. */
    public static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }

    /**
     * The production job at parallelism 2, reading with {@code source} and writing to this
     * pipeline's PostgreSQL, ready to execute on the test's MiniCluster.
     */
    public StreamExecutionEnvironment job(JobConfig config, Source<Ingested, ?, ?> source) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamPulseJob.configure(env, config);
        new StreamPulseJob(config, source, sinks(config)).build(env);
        return env;
    }

    /** The production source, stopping at the end of what the topic holds now. */
    public static KafkaSource<Ingested> boundedSource(JobConfig config) {
        return StreamPulseJob.kafkaSourceBuilder(config.kafka())
                .setBounded(OffsetsInitializer.latest())
                .build();
    }

    /** The production sinks, writing to this pipeline's PostgreSQL. */
    public ResultSinks sinks(JobConfig config) {
        return ResultSinks.postgres(new JdbcSinks(config.postgres(), config.jdbcBatchSize()));
    }

    /** Sends in order and waits for every acknowledgement; the offsets are where each landed. */
    public List<Sent> send(List<TestEvent> records) {
        return send(records, null);
    }

    /**
     * The same, with every record's Kafka timestamp set to {@code stamp} (a producer whose clock
     * reads {@code stamp}; on a LogAppendTime topic the broker replaces it with its own).
     */
    public List<Sent> send(List<TestEvent> records, Instant stamp) {
        Long timestamp = stamp == null ? null : stamp.toEpochMilli();
        List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
        for (TestEvent r : records) {
            acks.add(
                    producer.send(
                            new ProducerRecord<>(
                                    topic, r.partition(), timestamp, r.key(), r.value())));
        }
        producer.flush();
        List<Sent> sent = new ArrayList<>();
        try {
            for (int i = 0; i < records.size(); i++) {
                RecordMetadata m = acks.get(i).get();
                sent.add(
                        new Sent(
                                records.get(i),
                                m.topic(),
                                m.partition(),
                                m.offset(),
                                m.timestamp()));
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("Could not send test records", e);
        }
        return sent;
    }

    public TableSnapshot snapshot() {
        return TableSnapshot.read(db.dataSource());
    }

    /** Polls the tables until {@code done} holds; the last snapshot either way. */
    public TableSnapshot awaitTables(Predicate<TableSnapshot> done, Duration timeout)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        TableSnapshot last = snapshot();
        while (!done.test(last) && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            last = snapshot();
        }
        return last;
    }

    @Override
    public void close() {
        producer.close();
        kafka.close();
        db.close();
    }
}
