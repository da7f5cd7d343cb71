package com.streampulse.job.sink;

import com.streampulse.job.config.PostgresSettings;
import com.streampulse.job.records.AlertRow;
import com.streampulse.job.records.ContentStats;
import com.streampulse.job.records.DeviceStats;
import com.streampulse.job.records.RegionHealth;
import com.streampulse.job.records.RejectedEvent;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

/**
 * The five PostgreSQL sinks. Each is an idempotent upsert on the row's natural key, batched and
 * flushed on every checkpoint: a replay after a failure rewrites the same rows with the same
 * values, which is what makes at-least-once delivery give exactly-once tables.
 */
public final class JdbcSinks {

    static final String CONTENT_STATS =
            "INSERT INTO content_stats (window_start, window_end, content_id, title,"
                + " download_count, successful_downloads, failed_downloads, total_size_gb) VALUES"
                + " (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (content_id, window_start) DO UPDATE SET"
                + " window_end = EXCLUDED.window_end, title = EXCLUDED.title, download_count ="
                + " EXCLUDED.download_count, successful_downloads = EXCLUDED.successful_downloads,"
                + " failed_downloads = EXCLUDED.failed_downloads, total_size_gb ="
                + " EXCLUDED.total_size_gb, updated_at = now()";

    static final String REGION_HEALTH =
            "INSERT INTO region_health (window_start, window_end, region, total_downloads,"
                    + " successful_downloads, failed_downloads, success_rate, avg_speed_mbps,"
                    + " avg_duration_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (region, window_start) DO UPDATE SET"
                    + " window_end = EXCLUDED.window_end,"
                    + " total_downloads = EXCLUDED.total_downloads,"
                    + " successful_downloads = EXCLUDED.successful_downloads,"
                    + " failed_downloads = EXCLUDED.failed_downloads,"
                    + " success_rate = EXCLUDED.success_rate,"
                    + " avg_speed_mbps = EXCLUDED.avg_speed_mbps,"
                    + " avg_duration_seconds = EXCLUDED.avg_duration_seconds, updated_at = now()";

    static final String DEVICE_STATS =
            "INSERT INTO device_stats (window_start, window_end, device, os_version,"
                + " total_downloads, successful_downloads, failed_downloads, avg_speed_mbps,"
                + " avg_duration_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device,"
                + " os_version, window_start) DO UPDATE SET window_end = EXCLUDED.window_end,"
                + " total_downloads = EXCLUDED.total_downloads, successful_downloads ="
                + " EXCLUDED.successful_downloads, failed_downloads = EXCLUDED.failed_downloads,"
                + " avg_speed_mbps = EXCLUDED.avg_speed_mbps, avg_duration_seconds ="
                + " EXCLUDED.avg_duration_seconds, updated_at = now()";

    /**
     * A raise clears {@code resolved_at}; a resolution sets it once and keeps the first time. The
     * last raise's severity and threshold stay on a resolved row.
     */
    static final String ALERTS =
            "INSERT INTO alerts (alert_type, severity, message, scope, scope_key, region,"
                + " content_id, metric_name, metric_value, threshold_value, window_start,"
                + " window_end, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN"
                + " ? THEN now() END) ON CONFLICT (alert_type, scope, scope_key, window_start) DO"
                + " UPDATE SET severity = EXCLUDED.severity, message = EXCLUDED.message,"
                + " metric_value = EXCLUDED.metric_value, threshold_value ="
                + " EXCLUDED.threshold_value, window_end = EXCLUDED.window_end, updated_at = now(),"
                + " resolved_at = CASE WHEN EXCLUDED.resolved_at IS NULL THEN NULL ELSE"
                + " COALESCE(alerts.resolved_at, EXCLUDED.resolved_at) END";

    static final String REJECTED_EVENTS =
            "INSERT INTO rejected_events (source_topic, source_partition, source_offset, reason,"
                    + " detail, event_time, payload) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (source_topic, source_partition, source_offset) DO UPDATE SET"
                    + " reason = EXCLUDED.reason, detail = EXCLUDED.detail,"
                    + " event_time = EXCLUDED.event_time, payload = EXCLUDED.payload,"
                    + " received_at = now()";

    private final JdbcConnectionOptions connection;
    private final JdbcExecutionOptions execution;

    public JdbcSinks(PostgresSettings pg, int batchSize) {
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder builder =
                new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(pg.jdbcUrl())
                        .withDriverName("org.postgresql.Driver")
                        .withUsername(pg.user());
        if (pg.password().isPresent()) {
            builder.withPassword(pg.password().value());
        }
        this.connection = builder.build();
        this.execution =
                JdbcExecutionOptions.builder()
                        .withBatchSize(batchSize)
                        .withBatchIntervalMs(1000)
                        .withMaxRetries(5)
                        .build();
    }

    public JdbcSink<ContentStats> contentStats() {
        return sink(
                CONTENT_STATS,
                (ps, r) -> {
                    window(ps, r.windowStart(), r.windowEnd());
                    ps.setString(3, r.contentId());
                    ps.setString(4, r.title());
                    ps.setLong(5, r.downloadCount());
                    ps.setLong(6, r.successfulDownloads());
                    ps.setLong(7, r.failedDownloads());
                    ps.setDouble(8, r.totalSizeGb());
                });
    }

    public JdbcSink<RegionHealth> regionHealth() {
        return sink(
                REGION_HEALTH,
                (ps, r) -> {
                    window(ps, r.windowStart(), r.windowEnd());
                    ps.setString(3, r.region());
                    ps.setLong(4, r.totalDownloads());
                    ps.setLong(5, r.successfulDownloads());
                    ps.setLong(6, r.failedDownloads());
                    ps.setDouble(7, r.successRate());
                    ps.setDouble(8, r.avgSpeedMbps());
                    ps.setDouble(9, r.avgDurationSeconds());
                });
    }

    public JdbcSink<DeviceStats> deviceStats() {
        return sink(
                DEVICE_STATS,
                (ps, r) -> {
                    window(ps, r.windowStart(), r.windowEnd());
                    ps.setString(3, r.device());
                    ps.setString(4, r.osVersion());
                    ps.setLong(5, r.totalDownloads());
                    ps.setLong(6, r.successfulDownloads());
                    ps.setLong(7, r.failedDownloads());
                    ps.setDouble(8, r.avgSpeedMbps());
                    ps.setDouble(9, r.avgDurationSeconds());
                });
    }

    public JdbcSink<AlertRow> alerts() {
        return sink(
                ALERTS,
                (ps, a) -> {
                    ps.setString(1, a.alertType());
                    ps.setString(2, a.severity());
                    ps.setString(3, a.message());
                    ps.setString(4, a.scope());
                    ps.setString(5, a.scopeKey());
                    ps.setString(6, a.region());
                    ps.setString(7, a.contentId());
                    ps.setString(8, a.metricName());
                    ps.setDouble(9, a.metricValue());
                    ps.setDouble(10, a.thresholdValue());
                    ps.setObject(11, time(a.windowStart()));
                    ps.setObject(12, time(a.windowEnd()));
                    ps.setBoolean(13, a.resolved());
                });
    }

    public JdbcSink<RejectedEvent> rejectedEvents() {
        return sink(
                REJECTED_EVENTS,
                (ps, r) -> {
                    ps.setString(1, r.topic());
                    ps.setInt(2, r.partition());
                    ps.setLong(3, r.offset());
                    ps.setString(4, r.reason().name());
                    ps.setString(5, r.detail());
                    if (r.eventTime() == null) {
                        ps.setNull(6, Types.TIMESTAMP_WITH_TIMEZONE);
                    } else {
                        ps.setObject(6, time(r.eventTime()));
                    }
                    ps.setBytes(7, r.payload());
                });
    }

    private <T> JdbcSink<T> sink(String sql, JdbcStatementBuilder<T> statement) {
        return JdbcSink.<T>builder()
                .withQueryStatement(sql, statement)
                .withExecutionOptions(execution)
                .buildAtLeastOnce(connection);
    }

    private static void window(PreparedStatement ps, long start, long end) throws SQLException {
        ps.setObject(1, time(start));
        ps.setObject(2, time(end));
    }

    static OffsetDateTime time(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }
}
