package com.streampulse.job.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.config.Settings;
import com.streampulse.job.ResultSinks;
import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.it.Oracle;
import com.streampulse.job.it.Sent;
import com.streampulse.job.it.TableSnapshot;
import com.streampulse.job.it.TestEvent;
import com.streampulse.job.sink.JdbcSinks;
import com.streampulse.testkit.EmbeddedKafka;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The job against a broker that only accepts SASL SCRAM-SHA-256 clients, and a PostgreSQL role with
 * its own password: with the right credentials every table ends exact; with a wrong password the
 * job stops with an authentication error that names no secret; and nothing logged at INFO during a
 * whole run (Flink, Kafka clients, JDBC, the job) contains a configured secret.
 *
 * <p>The broker ({@link EmbeddedKafka#startWithScram}) speaks SASL_PLAINTEXT to its clients.
 */
class SecureKafkaIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final String USER = "streampulse-job";
    private static final String KAFKA_PASSWORD = "kafka-S3cret-91c2e7";
    private static final String WRONG_PASSWORD = "wrong-S3cret-55ab0d";
    private static final String PG_USER = "streampulse_writer";
    private static final String PG_PASSWORD = "pg-S3cret-7f3a9b";
    private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

    private static EmbeddedKafka kafka;
    private static EmbeddedPostgresDb db;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.startWithScram(USER, KAFKA_PASSWORD);
        db = EmbeddedPostgresDb.start();
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + PG_USER + " LOGIN PASSWORD '" + PG_PASSWORD + "'");
            // Every table the job writes; alert_outbox is written by the trigger on alerts, which
            // runs with the writer's rights.
            s.execute(
                    "GRANT SELECT, INSERT, UPDATE ON content_stats, region_health, device_stats,"
                            + " alerts, alert_outbox, rejected_events, dropped_partials,"
                            + " trending_content, user_sessions TO "
                            + PG_USER);
            s.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + PG_USER);
        }
    }

    @AfterAll
    static void stop() {
        kafka.close();
        db.close();
    }

    @Test
    void rightCredentialsGiveExactTablesAndNoSecretIsLogged() throws Exception {
        String topic = createTopic("secure-ok");
        JobConfig config = config(topic, KAFKA_PASSWORD);
        EmbeddedKafka.awaitLeaders(config.kafka().clientProperties(), topic, 3);
        List<Sent> sent;
        List<String> logged;
        try (LogCapture capture = LogCapture.begin()) {
            LoggerFactory.getLogger(SecureKafkaIT.class).info("{}", config.describe());
            sent = send(config, topic, 300);
            run(config);
            logged = capture.lines();
        }

        Oracle oracle = new Oracle(config.windowSize().toMillis(), config.alerts().minEvents());
        oracle.phase(sent.stream().map(s -> s.record().event()).toList());
        assertThat(TableSnapshot.read(db.dataSource()).toString())
                .isEqualTo(oracle.expected().toString());
        assertThat(logged).as("a full run was logged").hasSizeGreaterThan(50);
        assertThat(logged)
                .as("the credentials were used and logged about")
                .anyMatch(line -> line.contains("sasl.mechanism = SCRAM-SHA-256"));
        for (String secret : List.of(KAFKA_PASSWORD, PG_PASSWORD)) {
            assertThat(logged).as("log lines with a secret").noneMatch(l -> l.contains(secret));
        }
    }

    @Test
    void wrongPasswordStopsTheJobWithAClearErrorThatNamesNoSecret() throws Exception {
        String topic = createTopic("secure-wrong");
        JobConfig config = config(topic, WRONG_PASSWORD);
        Throwable failure = null;
        try {
            run(config);
        } catch (Exception e) {
            failure = e;
        }
        assertThat(failure).as("the job failed").isNotNull();
        assertThat(ExceptionUtils.findThrowable(failure, SaslAuthenticationException.class))
                .as("an authentication error in\n%s", ExceptionUtils.stringifyException(failure))
                .hasValueSatisfying(
                        e ->
                                assertThat(e.getMessage())
                                        .contains("Authentication failed")
                                        .contains("SCRAM-SHA-256"));
        String everything = ExceptionUtils.stringifyException(failure);
        assertThat(everything).doesNotContain(WRONG_PASSWORD).doesNotContain(KAFKA_PASSWORD);
    }

    private static JobConfig config(String topic, String kafkaPassword) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("KAFKA_TOPIC", topic);
        env.put("KAFKA_GROUP_ID", "streampulse-" + topic);
        env.put("KAFKA_USERNAME", USER);
        env.put("KAFKA_PASSWORD", kafkaPassword);
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
        env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-256");
        env.put("PG_HOST", "localhost");
        env.put("PG_PORT", Integer.toString(db.port()));
        env.put("PG_DATABASE", EmbeddedPostgresDb.DATABASE);
        env.put("PG_USER", PG_USER);
        env.put("PG_PASSWORD", PG_PASSWORD);
        env.put("PG_SSLMODE", "disable");
        env.put("OUT_OF_ORDERNESS", "2s");
        env.put("IDLENESS", "60s");
        env.put("CHECKPOINT_INTERVAL", "500ms");
        return JobConfig.from(Settings.of(env, new String[0]));
    }

    /** The bounded job, failing for good on the first error (no restarts). */
    private static void run(JobConfig config) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamPulseJob.configure(env, config);
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(noRestarts);
        var source =
                StreamPulseJob.kafkaSourceBuilder(config.kafka())
                        .setBounded(OffsetsInitializer.latest())
                        .build();
        new StreamPulseJob(
                        config,
                        source,
                        ResultSinks.postgres(
                                new JdbcSinks(config.postgres(), config.jdbcBatchSize())))
                .build(env);
        env.execute("secure");
    }

    private static String createTopic(String name) {
        kafka.createTopic(name, 3);
        return name;
    }

    /** Sends through the job's own client settings: SASL with the configured credentials. */
    private static List<Sent> send(JobConfig config, String topic, int count) throws Exception {
        Properties props = config.kafka().clientProperties();
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        List<TestEvent> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            var event = TestEvent.at(T0.plusMillis(i * 400L)).speed(5 + i % 40);
            if (i % 7 == 0) {
                event.failed();
            }
            records.add(event.to(i % 3));
        }
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (TestEvent r : records) {
                acks.add(
                        producer.send(
                                new ProducerRecord<>(topic, r.partition(), r.key(), r.value())));
            }
            producer.flush();
            List<Sent> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                RecordMetadata m = acks.get(i).get();
                sent.add(new Sent(records.get(i), m.topic(), m.partition(), m.offset()));
            }
            return sent;
        }
    }

    /** Everything logged at INFO and above (messages and stack traces) while it is open. */
    private static final class LogCapture extends AbstractAppender implements AutoCloseable {

        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        private final Level previous;

        private LogCapture() {
            super("secret-check", null, null, true, Property.EMPTY_ARRAY);
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            LoggerConfig root = context.getConfiguration().getRootLogger();
            previous = root.getLevel();
            start();
            root.addAppender(this, Level.INFO, null);
            root.setLevel(Level.INFO);
            context.updateLoggers();
        }

        static LogCapture begin() {
            return new LogCapture();
        }

        @Override
        public void append(LogEvent event) {
            lines.add(event.getLoggerName() + " " + event.getMessage().getFormattedMessage());
            if (event.getThrown() != null) {
                lines.add(ExceptionUtils.stringifyException(event.getThrown()));
            }
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        @Override
        public void close() {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            LoggerConfig root = context.getConfiguration().getRootLogger();
            root.removeAppender(getName());
            root.setLevel(previous);
            context.updateLoggers();
            stop();
        }
    }
}
