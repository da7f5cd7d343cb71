package com.streampulse.bench;

import com.streampulse.config.Settings;
import com.streampulse.job.config.JobConfig;
import com.streampulse.testkit.EmbeddedKafka;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The embedded Kafka broker and PostgreSQL server the benchmark runs against, and job configs. */
public final class Infrastructure implements AutoCloseable {

    static final List<String> TABLES =
            List.of("content_stats", "region_health", "device_stats", "alerts", "rejected_events");

    /**
     * Consumer quotas ({@link ReadQuota}) measured over 2 windows of 1 s instead of 11: a reader
     * that fetched nothing for a while may then catch up by about a second, not ten.
     */
    private final EmbeddedKafka kafka =
            EmbeddedKafka.start(Map.of("quota.window.num", "2", "quota.window.size.seconds", "1"));

    private final EmbeddedPostgresDb db = EmbeddedPostgresDb.start();
    private final AtomicInteger groups = new AtomicInteger();

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedPostgresDb db() {
        return db;
    }

    /** A producer tuned for bulk loading: big batches, no compression (as the wire contract). */
    public KafkaProducer<byte[], byte[]> producer() {
        Properties props = kafka.clientProperties();
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        props.put("linger.ms", "20");
        props.put("batch.size", Integer.toString(512 * 1024));
        props.put("buffer.memory", Long.toString(256L * 1024 * 1024));
        props.put("acks", "1");
        return new KafkaProducer<>(props);
    }

    /**
     * The job's configuration for {@code topic}, with a consumer group of its own so every run
     * reads the topic from the beginning, plus {@code extra} variables.
     */
    public JobConfig config(String topic, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("KAFKA_TOPIC", topic);
        env.put("KAFKA_GROUP_ID", "bench-" + topic + "-" + groups.incrementAndGet());
        env.put("PG_HOST", "localhost");
        env.put("PG_PORT", Integer.toString(db.port()));
        env.put("PG_DATABASE", EmbeddedPostgresDb.DATABASE);
        env.put("PG_USER", EmbeddedPostgresDb.USER);
        env.put("PG_PASSWORD", EmbeddedPostgresDb.PASSWORD);
        env.put("PG_SSLMODE", "disable");
        env.putAll(extra);
        return JobConfig.from(Settings.of(env, new String[0]));
    }

    public void truncate() {
        db.truncateAll();
    }

    /** Rows per result table, in {@link #TABLES} order. */
    public Map<String, Long> rowCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not count rows", e);
        }
        return counts;
    }

    @Override
    public void close() {
        kafka.close();
        db.close();
    }
}
