package com.streampulse.job.sink;

import com.streampulse.job.config.PostgresSettings;
import com.streampulse.job.records.AlertRow;
import com.streampulse.job.records.ContentStats;
import com.streampulse.job.records.DeviceStats;
import com.streampulse.job.records.DroppedPartial;
import com.streampulse.job.records.RegionHealth;
import com.streampulse.job.records.RejectedEvent;
import com.streampulse.job.sessions.UserSession;
import com.streampulse.job.trending.TrendingRow;
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
 * The PostgreSQL sinks. Each is an idempotent upsert on the row's natural key, batched and flushed
 * on every checkpoint: a replay after a failure rewrites the same rows with the same values, which
 * is what makes at-least-once delivery give exactly-once tables.
 *
 * <p>Every window row is also fenced by its count: a window only gains events from one firing to
 * the next, so an upsert never replaces a row with one that counted fewer events. A replayed firing
 * after a restore, or a stale batch flushed by a paused TaskManager after its replacement took
 * over, then changes nothing, and readers never see a window go back to an older value.
 */
public final class JdbcSinks {

    static final String CONTENT_STATS =
            "INSERT INTO content_stats (window_start, window_end, content_id, title,"
                + " download_count, successful_downloads, failed_downloads, total_size_gb) VALUES"
                + " (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (content_id, window_start) DO UPDATE SET"
                + " window_end = EXCLUDED.window_end, title = EXCLUDED.title, download_count ="
                + " EXCLUDED.download_count, successful_downloads = EXCLUDED.successful_downloads,"
                + " failed_downloads = EXCLUDED.failed_downloads, total_size_gb ="
                + " EXCLUDED.total_size_gb, updated_at = now() WHERE content_stats.download_count"
                + " <= EXCLUDED.download_count";

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
                    + " avg_duration_seconds = EXCLUDED.avg_duration_seconds, updated_at = now()"
                    + " WHERE region_health.total_downloads <= EXCLUDED.total_downloads";

    static final String DEVICE_STATS =
            "INSERT INTO device_stats (window_start, window_end, device, os_version,"
                + " total_downloads, successful_downloads, failed_downloads, avg_speed_mbps,"
                + " avg_duration_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device,"
                + " os_version, window_start) DO UPDATE SET window_end = EXCLUDED.window_end,"
                + " total_downloads = EXCLUDED.total_downloads, successful_downloads ="
                + " EXCLUDED.successful_downloads, failed_downloads = EXCLUDED.failed_downloads,"
                + " avg_speed_mbps = EXCLUDED.avg_speed_mbps, avg_duration_seconds ="
                + " EXCLUDED.avg_duration_seconds, updated_at = now() WHERE"
                + " device_stats.total_downloads <= EXCLUDED.total_downloads";

    /**
     * One statement for the three {@link AlertRow.Change}s, so a key's rows apply in firing order.
     * RAISE and RESOLVE upsert (a raise clears {@code resolved_at}, a resolution sets it once and
     * keeps the first time); WITHDRAW only resolves a row that exists (the CTE), and inserts none.
     */
    static final String ALERTS =
            "WITH withdrawn AS (UPDATE alerts SET message = ?, metric_value = ?, window_events = ?,"
                + " updated_at = now(), resolved_at = COALESCE(resolved_at, now()) WHERE ? AND"
                + " alert_type = ? AND scope = ? AND scope_key = ? AND window_start = ? AND"
                + " window_events <= ?) INSERT INTO alerts (alert_type, severity, message, scope,"
                + " scope_key, region, content_id, metric_name, metric_value, threshold_value,"
                + " window_start, window_end, window_events, resolved_at, expected_value,"
                + " deviation) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? THEN now()"
                + " END, ?, ? WHERE NOT ? ON CONFLICT (alert_type, scope, scope_key, window_start)"
                + " DO UPDATE SET severity = EXCLUDED.severity, message = EXCLUDED.message,"
                + " metric_value = EXCLUDED.metric_value, threshold_value ="
                + " EXCLUDED.threshold_value, window_end = EXCLUDED.window_end, expected_value ="
                + " EXCLUDED.expected_value, deviation = EXCLUDED.deviation, window_events ="
                + " EXCLUDED.window_events, updated_at = now(), resolved_at = CASE WHEN"
                + " EXCLUDED.resolved_at IS NULL THEN NULL ELSE COALESCE(alerts.resolved_at,"
                + " EXCLUDED.resolved_at) END WHERE alerts.window_events <= EXCLUDED.window_events";

    /**
     * Fenced by downloads: the downloads at a rank only grow as late data comes in, so a replayed
     * or stale ranking never replaces a newer one.
     */
    static final String TRENDING_CONTENT =
            "INSERT INTO trending_content (scope, window_start, window_end, rank, content_id,"
                + " title, downloads, previous_downloads, growth) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?) ON CONFLICT (scope, window_end, rank) DO UPDATE SET content_id ="
                + " EXCLUDED.content_id, title = EXCLUDED.title, downloads = EXCLUDED.downloads,"
                + " previous_downloads = EXCLUDED.previous_downloads, growth = EXCLUDED.growth,"
                + " updated_at = now() WHERE trending_content.downloads <= EXCLUDED.downloads";

    /** Written once per session; a replay writes the same row again. */
    static final String USER_SESSIONS =
            "INSERT INTO user_sessions (user_id, session_start, session_end, downloads,"
                    + " failed_downloads, total_size_mb, distinct_content, regions, devices) VALUES"
                    + " (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, session_start) DO UPDATE"
                    + " SET session_end = EXCLUDED.session_end, downloads = EXCLUDED.downloads,"
                    + " failed_downloads = EXCLUDED.failed_downloads, total_size_mb ="
                    + " EXCLUDED.total_size_mb, distinct_content = EXCLUDED.distinct_content,"
                    + " regions = EXCLUDED.regions, devices = EXCLUDED.devices, updated_at = now()";

    static final String REJECTED_EVENTS =
            "INSERT INTO rejected_events (source_topic, source_partition, source_offset, reason,"
                    + " detail, event_time, payload) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (source_topic, source_partition, source_offset) DO UPDATE SET"
                    + " reason = EXCLUDED.reason, detail = EXCLUDED.detail,"
                    + " event_time = EXCLUDED.event_time, payload = EXCLUDED.payload,"
                    + " received_at = now()";

    /** A replay that drops the same partial (same offsets) writes the same row again. */
    static final String DROPPED_PARTIALS =
            "INSERT INTO dropped_partials (dimension, dimension_key, detail, window_start,"
                    + " source_topic, source_ranges, events, successful) VALUES (?, ?, ?, ?, ?, ?,"
                    + " ?, ?) ON CONFLICT (dimension, dimension_key, detail, window_start,"
                    + " source_topic, source_ranges) DO UPDATE SET events = EXCLUDED.events,"
                    + " successful = EXCLUDED.successful";

    private final JdbcConnectionOptions connection;
    private final JdbcExecutionOptions execution;

    public JdbcSinks(PostgresSettings pg, int batchSize) {
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder builder =
                new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(pg.jdbcUrl())
                        .withDriverName("org.postgresql.Driver")
                        .withUsername(pg.user())
                        // After a failed batch the connector asks whether the connection still
                        // works (an empty query) before it retries; a live server answers in
                        // milliseconds, so a silent one is given the connect timeout, not 60 s.
                        .withConnectionCheckTimeoutSeconds(
                                (int) pg.timeouts().connect().toSeconds());
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

    /** Binds a content_stats row to {@link #CONTENT_STATS}. */
    static final JdbcStatementBuilder<ContentStats> CONTENT_STATS_VALUES =
            (ps, r) -> {
                window(ps, r.windowStart(), r.windowEnd());
                ps.setString(3, r.contentId());
                ps.setString(4, r.title());
                ps.setLong(5, r.downloadCount());
                ps.setLong(6, r.successfulDownloads());
                ps.setLong(7, r.failedDownloads());
                ps.setDouble(8, r.totalSizeGb());
            };

    static final JdbcStatementBuilder<RegionHealth> REGION_HEALTH_VALUES =
            (ps, r) -> {
                window(ps, r.windowStart(), r.windowEnd());
                ps.setString(3, r.region());
                ps.setLong(4, r.totalDownloads());
                ps.setLong(5, r.successfulDownloads());
                ps.setLong(6, r.failedDownloads());
                ps.setDouble(7, r.successRate());
                ps.setDouble(8, r.avgSpeedMbps());
                ps.setDouble(9, r.avgDurationSeconds());
            };

    static final JdbcStatementBuilder<DeviceStats> DEVICE_STATS_VALUES =
            (ps, r) -> {
                window(ps, r.windowStart(), r.windowEnd());
                ps.setString(3, r.device());
                ps.setString(4, r.osVersion());
                ps.setLong(5, r.totalDownloads());
                ps.setLong(6, r.successfulDownloads());
                ps.setLong(7, r.failedDownloads());
                ps.setDouble(8, r.avgSpeedMbps());
                ps.setDouble(9, r.avgDurationSeconds());
            };

    static final JdbcStatementBuilder<AlertRow> ALERT_VALUES =
            (ps, a) -> {
                boolean withdraw = a.change() == AlertRow.Change.WITHDRAW;
                // The CTE: withdraw an existing row.
                ps.setString(1, a.message());
                ps.setDouble(2, a.metricValue());
                ps.setLong(3, a.windowEvents());
                ps.setBoolean(4, withdraw);
                ps.setString(5, a.alertType());
                ps.setString(6, a.scope());
                ps.setString(7, a.scopeKey());
                ps.setObject(8, time(a.windowStart()));
                ps.setLong(9, a.windowEvents());
                // The upsert: raise or resolve.
                ps.setString(10, a.alertType());
                // Never inserted for WITHDRAW, but the column may not be null.
                ps.setString(11, withdraw ? "INFO" : a.severity());
                ps.setString(12, a.message());
                ps.setString(13, a.scope());
                ps.setString(14, a.scopeKey());
                ps.setString(15, a.region());
                ps.setString(16, a.contentId());
                ps.setString(17, a.metricName());
                ps.setDouble(18, a.metricValue());
                ps.setDouble(19, a.thresholdValue());
                ps.setObject(20, time(a.windowStart()));
                ps.setObject(21, time(a.windowEnd()));
                ps.setLong(22, a.windowEvents());
                ps.setBoolean(23, a.resolved());
                nullableDouble(ps, 24, a.expectedValue());
                nullableDouble(ps, 25, a.deviation());
                ps.setBoolean(26, withdraw);
            };

    static final JdbcStatementBuilder<RejectedEvent> REJECTED_EVENT_VALUES =
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
            };

    static final JdbcStatementBuilder<DroppedPartial> DROPPED_PARTIAL_VALUES =
            (ps, d) -> {
                ps.setString(1, d.dimension());
                ps.setString(2, d.key());
                ps.setString(3, d.detail());
                ps.setObject(4, time(d.windowStart()));
                ps.setString(5, d.topic());
                ps.setString(6, d.sourceRanges());
                ps.setLong(7, d.events());
                ps.setLong(8, d.successful());
            };

    static final JdbcStatementBuilder<TrendingRow> TRENDING_VALUES =
            (ps, t) -> {
                ps.setString(1, t.scope());
                ps.setObject(2, time(t.windowStart()));
                ps.setObject(3, time(t.windowEnd()));
                ps.setInt(4, t.rank());
                ps.setString(5, t.contentId());
                ps.setString(6, t.title());
                ps.setLong(7, t.downloads());
                ps.setLong(8, t.previousDownloads());
                nullableDouble(ps, 9, t.growth());
            };

    static final JdbcStatementBuilder<UserSession> SESSION_VALUES =
            (ps, s) -> {
                ps.setString(1, s.userId());
                ps.setObject(2, time(s.sessionStart()));
                ps.setObject(3, time(s.sessionEnd()));
                ps.setLong(4, s.downloads());
                ps.setLong(5, s.failed());
                ps.setLong(6, s.successfulSizeMb());
                ps.setInt(7, s.distinctContent());
                ps.setArray(8, ps.getConnection().createArrayOf("text", s.regions()));
                ps.setArray(9, ps.getConnection().createArrayOf("text", s.devices()));
            };

    public JdbcSink<TrendingRow> trendingContent() {
        return sink(TRENDING_CONTENT, TRENDING_VALUES);
    }

    public JdbcSink<UserSession> userSessions() {
        return sink(USER_SESSIONS, SESSION_VALUES);
    }

    public JdbcSink<ContentStats> contentStats() {
        return sink(CONTENT_STATS, CONTENT_STATS_VALUES);
    }

    public JdbcSink<RegionHealth> regionHealth() {
        return sink(REGION_HEALTH, REGION_HEALTH_VALUES);
    }

    public JdbcSink<DeviceStats> deviceStats() {
        return sink(DEVICE_STATS, DEVICE_STATS_VALUES);
    }

    public JdbcSink<AlertRow> alerts() {
        return sink(ALERTS, ALERT_VALUES);
    }

    public JdbcSink<RejectedEvent> rejectedEvents() {
        return sink(REJECTED_EVENTS, REJECTED_EVENT_VALUES);
    }

    public JdbcSink<DroppedPartial> droppedPartials() {
        return sink(DROPPED_PARTIALS, DROPPED_PARTIAL_VALUES);
    }

    private <T> JdbcSink<T> sink(String sql, JdbcStatementBuilder<T> statement) {
        return JdbcSink.<T>builder()
                .withQueryStatement(sql, statement)
                .withExecutionOptions(execution)
                .buildAtLeastOnce(connection);
    }

    private static void nullableDouble(PreparedStatement ps, int index, Double value)
            throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.DOUBLE);
        } else {
            ps.setDouble(index, value);
        }
    }

    private static void window(PreparedStatement ps, long start, long end) throws SQLException {
        ps.setObject(1, time(start));
        ps.setObject(2, time(end));
    }

    static OffsetDateTime time(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }
}
