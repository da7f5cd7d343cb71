package com.streampulse.job.sink;

import com.streampulse.job.config.PostgresSettings;
import com.streampulse.job.records.AlertRow;
import com.streampulse.job.records.ContentStats;
import com.streampulse.job.records.DeviceStats;
import com.streampulse.job.records.DroppedPartial;
import com.streampulse.job.records.RegionHealth;
import com.streampulse.job.records.RejectedEvent;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The PostgreSQL result tables and their sinks. Each table is an idempotent upsert on the row's
 * natural key, written in one round trip per flush and flushed on every checkpoint (see {@link
 * UpsertSink}): a replay after a failure rewrites the same rows with the same values, which is what
 * makes at-least-once delivery give exactly-once tables. A new table is one more declaration here
 * and one method.
 *
 * <p>Every window row is also fenced by its count: a window only gains events from one firing to
 * the next, so an upsert never replaces a row with one that counted fewer events. A replayed firing
 * after a restore, or a stale batch flushed by a paused TaskManager after its replacement took
 * over, then changes nothing, and readers never see a window go back to an older value.
 */
public final class JdbcSinks {

    /** How often a sink writes what it holds even without a checkpoint or a full batch. */
    static final long FLUSH_INTERVAL_MILLIS = 1_000;

    public static final UpsertTable<ContentStats> CONTENT_STATS =
            UpsertTable.<ContentStats>named("content_stats")
                    .timestamp("window_start", ContentStats::windowStart)
                    .timestamp("window_end", ContentStats::windowEnd)
                    .text("content_id", ContentStats::contentId)
                    .text("title", ContentStats::title)
                    .bigint("download_count", ContentStats::downloadCount)
                    .bigint("successful_downloads", ContentStats::successfulDownloads)
                    .bigint("failed_downloads", ContentStats::failedDownloads)
                    .float8("total_size_gb", ContentStats::totalSizeGb)
                    .key("content_id", "window_start")
                    .alsoSet("updated_at = now()")
                    .onlyIf("content_stats.download_count <= EXCLUDED.download_count")
                    .build();

    public static final UpsertTable<RegionHealth> REGION_HEALTH =
            UpsertTable.<RegionHealth>named("region_health")
                    .timestamp("window_start", RegionHealth::windowStart)
                    .timestamp("window_end", RegionHealth::windowEnd)
                    .text("region", RegionHealth::region)
                    .bigint("total_downloads", RegionHealth::totalDownloads)
                    .bigint("successful_downloads", RegionHealth::successfulDownloads)
                    .bigint("failed_downloads", RegionHealth::failedDownloads)
                    .float8("success_rate", RegionHealth::successRate)
                    .float8("avg_speed_mbps", RegionHealth::avgSpeedMbps)
                    .float8("avg_duration_seconds", RegionHealth::avgDurationSeconds)
                    .key("region", "window_start")
                    .alsoSet("updated_at = now()")
                    .onlyIf("region_health.total_downloads <= EXCLUDED.total_downloads")
                    .build();

    public static final UpsertTable<DeviceStats> DEVICE_STATS =
            UpsertTable.<DeviceStats>named("device_stats")
                    .timestamp("window_start", DeviceStats::windowStart)
                    .timestamp("window_end", DeviceStats::windowEnd)
                    .text("device", DeviceStats::device)
                    .text("os_version", DeviceStats::osVersion)
                    .bigint("total_downloads", DeviceStats::totalDownloads)
                    .bigint("successful_downloads", DeviceStats::successfulDownloads)
                    .bigint("failed_downloads", DeviceStats::failedDownloads)
                    .float8("avg_speed_mbps", DeviceStats::avgSpeedMbps)
                    .float8("avg_duration_seconds", DeviceStats::avgDurationSeconds)
                    .key("device", "os_version", "window_start")
                    .alsoSet("updated_at = now()")
                    .onlyIf("device_stats.total_downloads <= EXCLUDED.total_downloads")
                    .build();

    public static final UpsertTable<RejectedEvent> REJECTED_EVENTS =
            UpsertTable.<RejectedEvent>named("rejected_events")
                    .text("source_topic", RejectedEvent::topic)
                    .integer("source_partition", RejectedEvent::partition)
                    .bigint("source_offset", RejectedEvent::offset)
                    .text("reason", r -> r.reason().name())
                    .text("detail", RejectedEvent::detail)
                    .timestamp("event_time", RejectedEvent::eventTime)
                    .bytea("payload", RejectedEvent::payload)
                    .key("source_topic", "source_partition", "source_offset")
                    .alsoSet("received_at = now()")
                    .build();

    /** A replay that drops the same partial (same offsets) writes the same row again. */
    public static final UpsertTable<DroppedPartial> DROPPED_PARTIALS =
            UpsertTable.<DroppedPartial>named("dropped_partials")
                    .text("dimension", DroppedPartial::dimension)
                    .text("dimension_key", DroppedPartial::key)
                    .text("detail", DroppedPartial::detail)
                    .timestamp("window_start", DroppedPartial::windowStart)
                    .text("source_topic", DroppedPartial::topic)
                    .text("source_ranges", DroppedPartial::sourceRanges)
                    .bigint("events", DroppedPartial::events)
                    .bigint("successful", DroppedPartial::successful)
                    .key(
                            "dimension",
                            "dimension_key",
                            "detail",
                            "window_start",
                            "source_topic",
                            "source_ranges")
                    .build();

    /**
     * One statement for the three {@link AlertRow.Change}s, so a key's rows apply in firing order.
     * RAISE and RESOLVE upsert (a raise clears {@code resolved_at}, a resolution sets it once and
     * keeps the first time); WITHDRAW only resolves a row that exists (the CTE), and inserts none.
     */
    static final String ALERTS_SQL =
            "WITH withdrawn AS (UPDATE alerts SET message = ?, metric_value = ?, window_events = ?,"
                + " updated_at = now(), resolved_at = COALESCE(resolved_at, now()) WHERE ? AND"
                + " alert_type = ? AND scope = ? AND scope_key = ? AND window_start = ? AND"
                + " window_events <= ?) INSERT INTO alerts (alert_type, severity, message, scope,"
                + " scope_key, region, content_id, metric_name, metric_value, threshold_value,"
                + " window_start, window_end, window_events, resolved_at) SELECT ?, ?, ?, ?, ?, ?,"
                + " ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? THEN now() END WHERE NOT ? ON CONFLICT"
                + " (alert_type, scope, scope_key, window_start) DO UPDATE SET severity ="
                + " EXCLUDED.severity, message = EXCLUDED.message, metric_value ="
                + " EXCLUDED.metric_value, threshold_value = EXCLUDED.threshold_value, window_end ="
                + " EXCLUDED.window_end, window_events = EXCLUDED.window_events, updated_at ="
                + " now(), resolved_at = CASE WHEN EXCLUDED.resolved_at IS NULL THEN NULL ELSE"
                + " COALESCE(alerts.resolved_at, EXCLUDED.resolved_at) END WHERE"
                + " alerts.window_events <= EXCLUDED.window_events";

    static final StatementTable.Binder<AlertRow> ALERT_VALUES =
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
                ps.setBoolean(24, withdraw);
            };

    /**
     * Alerts go one statement per row (in one JDBC batch per flush), not through {@link
     * UpsertTable}: a raise then a withdrawal of one key in the same batch must both apply, in
     * order, and alerts are few (a handful of windows break a rule).
     */
    public static final StatementTable<AlertRow> ALERTS =
            new StatementTable<>("alerts", ALERTS_SQL, ALERT_VALUES);

    private final PostgresConnector connector;
    private final int batchSize;

    public JdbcSinks(PostgresSettings pg, int batchSize) {
        this.connector = new PostgresConnector(pg);
        this.batchSize = batchSize;
    }

    public UpsertSink<ContentStats> contentStats() {
        return sink(CONTENT_STATS);
    }

    public UpsertSink<RegionHealth> regionHealth() {
        return sink(REGION_HEALTH);
    }

    public UpsertSink<DeviceStats> deviceStats() {
        return sink(DEVICE_STATS);
    }

    public UpsertSink<AlertRow> alerts() {
        return sink(ALERTS);
    }

    public UpsertSink<RejectedEvent> rejectedEvents() {
        return sink(REJECTED_EVENTS);
    }

    public UpsertSink<DroppedPartial> droppedPartials() {
        return sink(DROPPED_PARTIALS);
    }

    /** A sink for any table declared like the ones above. */
    public <T> UpsertSink<T> sink(SinkTable<T> table) {
        return new UpsertSink<>(table, connector, batchSize, FLUSH_INTERVAL_MILLIS);
    }

    static OffsetDateTime time(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }
}
