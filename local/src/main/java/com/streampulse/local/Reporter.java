package com.streampulse.local;

import com.streampulse.generator.Generator;
import com.streampulse.job.config.JobConfig;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The console view of the running pipeline, in the spirit of the original processor's output:
 * events sent and processed, windows flushed, rows per table, and every new alert. Processed counts
 * are the consumer group's committed offsets, which Flink commits when a checkpoint completes.
 */
final class Reporter implements Runnable {

    private final JobConfig config;
    private final Generator generator;
    private final Duration every;
    private final PrintStream out;
    private volatile boolean stopped;
    private long lastAlertId;
    private TableCounts last;

    Reporter(JobConfig config, Generator generator, Duration every, PrintStream out) {
        this.config = config;
        this.generator = generator;
        this.every = every;
        this.out = out;
    }

    @Override
    public void run() {
        Properties adminProps = config.kafka().clientProperties();
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(adminProps)) {
            skipEarlierAlerts();
            while (!stopped) {
                sleep(every);
                if (stopped) {
                    break;
                }
                report(admin);
            }
        }
    }

    /** Alerts from earlier runs (the database is kept) are not news. */
    private synchronized void skipEarlierAlerts() {
        try (Connection c = connect();
                PreparedStatement s =
                        c.prepareStatement("SELECT coalesce(max(id), 0) FROM alerts");
                ResultSet r = s.executeQuery()) {
            r.next();
            lastAlertId = r.getLong(1);
        } catch (SQLException e) {
            out.println("⚠️  PostgreSQL: " + e.getMessage());
        }
    }

    void stop() {
        stopped = true;
    }

    /** One report; also called once more at shutdown. */
    synchronized void report(Admin admin) {
        long processed = admin == null ? -1 : committedOffsets(admin);
        try (Connection c = connect()) {
            TableCounts now = TableCounts.read(c);
            out.printf(
                    "📊 Sent %,d | Processed %s events (checkpointed) | Flushed %,d windows%n",
                    generator == null ? 0 : generator.sentSoFar(),
                    processed < 0 ? "?" : String.format("%,d", processed),
                    now.windows());
            if (last == null || !now.equals(last)) {
                out.printf(
                        "   rows: content_stats %,d · region_health %,d · device_stats %,d ·"
                                + " alerts %,d · rejected_events %,d (%,d malformed, %,d invalid,"
                                + " %,d late)%n",
                        now.contentRows(),
                        now.regionRows(),
                        now.deviceRows(),
                        now.alertRows(),
                        now.rejectedRows(),
                        now.malformed(),
                        now.invalid(),
                        now.late());
            }
            last = now;
            printNewAlerts(c);
        } catch (SQLException e) {
            out.println("⚠️  PostgreSQL: " + e.getMessage());
        }
    }

    private void printNewAlerts(Connection c) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement(
                        "SELECT id, severity, alert_type, message, window_start FROM alerts"
                                + " WHERE id > ? ORDER BY id")) {
            s.setLong(1, lastAlertId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    lastAlertId = r.getLong(1);
                    out.printf(
                            "🚨 %s %s: %s (window %s)%n",
                            r.getString(2),
                            r.getString(3),
                            r.getString(4),
                            r.getTimestamp(5).toInstant());
                }
            }
        }
    }

    private long committedOffsets(Admin admin) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(config.kafka().groupId())
                            .partitionsToOffsetAndMetadata()
                            .get(5, TimeUnit.SECONDS);
            return offsets.values().stream()
                    .filter(o -> o != null)
                    .mapToLong(OffsetAndMetadata::offset)
                    .sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", config.postgres().user());
        if (config.postgres().password().isPresent()) {
            props.setProperty("password", config.postgres().password().value());
        }
        return DriverManager.getConnection(config.postgres().jdbcUrl(), props);
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            stopped = true;
            Thread.currentThread().interrupt();
        }
    }
}
