package com.streampulse.job.it;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The contents of the five result tables, in a stable order, without the columns that record when a
 * row was written (created_at, updated_at, received_at, alert ids): two runs that computed the same
 * results have equal snapshots. Doubles are rounded to 9 decimals. Alert messages and rejection
 * details are kept (a LATE detail without the part that depends on read timing, see {@link
 * #detail}).
 */
public record TableSnapshot(
        List<ContentRow> contentStats,
        List<RegionRow> regionHealth,
        List<DeviceRow> deviceStats,
        List<AlertView> alerts,
        List<RejectedView> rejectedEvents) {

    public record ContentRow(
            Instant windowStart,
            Instant windowEnd,
            String contentId,
            String title,
            long downloads,
            long successful,
            long failed,
            double totalSizeGb) {}

    public record RegionRow(
            Instant windowStart,
            Instant windowEnd,
            String region,
            long total,
            long successful,
            long failed,
            double successRate,
            double avgSpeedMbps,
            double avgDurationSeconds) {}

    public record DeviceRow(
            Instant windowStart,
            Instant windowEnd,
            String device,
            String osVersion,
            long total,
            long successful,
            long failed,
            double avgSpeedMbps,
            double avgDurationSeconds) {}

    public record AlertView(
            String alertType,
            String severity,
            String scope,
            String scopeKey,
            String region,
            String contentId,
            String metricName,
            double metricValue,
            double thresholdValue,
            Instant windowStart,
            Instant windowEnd,
            boolean resolved,
            String message) {}

    /** Payload compared by content; arrays would compare by identity in a record. */
    public record RejectedView(
            String topic,
            int partition,
            long offset,
            String reason,
            String detail,
            Instant eventTime,
            String payloadHex) {}

    public static TableSnapshot read(DataSource db) {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            return new TableSnapshot(
                    contentRows(s), regionRows(s), deviceRows(s), alertRows(s), rejectedRows(s));
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the result tables", e);
        }
    }

    public long regionTotal() {
        return regionHealth.stream().mapToLong(RegionRow::total).sum();
    }

    private static List<ContentRow> contentRows(Statement s) throws SQLException {
        List<ContentRow> rows = new ArrayList<>();
        try (ResultSet r =
                s.executeQuery("SELECT * FROM content_stats ORDER BY window_start, content_id")) {
            while (r.next()) {
                rows.add(
                        new ContentRow(
                                instant(r, "window_start"),
                                instant(r, "window_end"),
                                r.getString("content_id"),
                                r.getString("title"),
                                r.getLong("download_count"),
                                r.getLong("successful_downloads"),
                                r.getLong("failed_downloads"),
                                round(r.getDouble("total_size_gb"))));
            }
        }
        return rows;
    }

    private static List<RegionRow> regionRows(Statement s) throws SQLException {
        List<RegionRow> rows = new ArrayList<>();
        try (ResultSet r =
                s.executeQuery("SELECT * FROM region_health ORDER BY window_start, region")) {
            while (r.next()) {
                rows.add(
                        new RegionRow(
                                instant(r, "window_start"),
                                instant(r, "window_end"),
                                r.getString("region"),
                                r.getLong("total_downloads"),
                                r.getLong("successful_downloads"),
                                r.getLong("failed_downloads"),
                                round(r.getDouble("success_rate")),
                                round(r.getDouble("avg_speed_mbps")),
                                round(r.getDouble("avg_duration_seconds"))));
            }
        }
        return rows;
    }

    private static List<DeviceRow> deviceRows(Statement s) throws SQLException {
        List<DeviceRow> rows = new ArrayList<>();
        try (ResultSet r =
                s.executeQuery(
                        "SELECT * FROM device_stats ORDER BY window_start, device, os_version")) {
            while (r.next()) {
                rows.add(
                        new DeviceRow(
                                instant(r, "window_start"),
                                instant(r, "window_end"),
                                r.getString("device"),
                                r.getString("os_version"),
                                r.getLong("total_downloads"),
                                r.getLong("successful_downloads"),
                                r.getLong("failed_downloads"),
                                round(r.getDouble("avg_speed_mbps")),
                                round(r.getDouble("avg_duration_seconds"))));
            }
        }
        return rows;
    }

    private static List<AlertView> alertRows(Statement s) throws SQLException {
        List<AlertView> rows = new ArrayList<>();
        try (ResultSet r =
                s.executeQuery(
                        "SELECT * FROM alerts ORDER BY window_start, alert_type, scope,"
                                + " scope_key")) {
            while (r.next()) {
                rows.add(
                        new AlertView(
                                r.getString("alert_type"),
                                r.getString("severity"),
                                r.getString("scope"),
                                r.getString("scope_key"),
                                r.getString("region"),
                                r.getString("content_id"),
                                r.getString("metric_name"),
                                round(r.getDouble("metric_value")),
                                round(r.getDouble("threshold_value")),
                                instant(r, "window_start"),
                                instant(r, "window_end"),
                                r.getObject("resolved_at") != null,
                                r.getString("message")));
            }
        }
        return rows;
    }

    private static List<RejectedView> rejectedRows(Statement s) throws SQLException {
        List<RejectedView> rows = new ArrayList<>();
        try (ResultSet r =
                s.executeQuery(
                        "SELECT * FROM rejected_events"
                                + " ORDER BY source_topic, source_partition, source_offset")) {
            while (r.next()) {
                rows.add(
                        new RejectedView(
                                r.getString("source_topic"),
                                r.getInt("source_partition"),
                                r.getLong("source_offset"),
                                r.getString("reason"),
                                detail(r.getString("reason"), r.getString("detail")),
                                instant(r, "event_time"),
                                hex(r.getBytes("payload"))));
            }
        }
        return rows;
    }

    /** Where a LATE row's detail starts to depend on when the record was read. */
    static final String LATE_DETAIL_READ_AT = " (event time ";

    /**
     * The detail as stored, except that a LATE row's ends at {@link #LATE_DETAIL_READ_AT}: the
     * event time the job had reached when it read the record depends on how the partitions
     * interleaved, which no two runs share; which window closed, and by how much lateness, does
     * not.
     */
    static String detail(String reason, String detail) {
        if (!"LATE".equals(reason) || detail == null) {
            return detail;
        }
        int readAt = detail.indexOf(LATE_DETAIL_READ_AT);
        return readAt < 0 ? detail : detail.substring(0, readAt);
    }

    private static Instant instant(ResultSet r, String column) throws SQLException {
        OffsetDateTime time = r.getObject(column, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
    }

    static double round(double value) {
        return Math.round(value * 1e9) / 1e9;
    }

    static String hex(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }

    /**
     * This snapshot without the resolved alert rows whose "type|window start|key" is in {@code
     * ids}: the rows a run may withdraw although a failure-free oracle has none.
     */
    public TableSnapshot withoutResolvedAlerts(Set<String> ids) {
        List<AlertView> kept =
                alerts.stream()
                        .filter(
                                a ->
                                        !(a.resolved()
                                                && ids.contains(
                                                        Oracle.id(
                                                                a.alertType(),
                                                                a.windowStart(),
                                                                a.scopeKey()))))
                        .toList();
        return new TableSnapshot(contentStats, regionHealth, deviceStats, kept, rejectedEvents);
    }

    /**
     * The rows that differ from {@code expected}, table by table, for a failure message: a whole
     * snapshot is too long for a CI log to show where two runs part.
     */
    public String differencesFrom(TableSnapshot expected) {
        StringBuilder out = new StringBuilder();
        differences(out, "content_stats", expected.contentStats, contentStats);
        differences(out, "region_health", expected.regionHealth, regionHealth);
        differences(out, "device_stats", expected.deviceStats, deviceStats);
        differences(out, "alerts", expected.alerts, alerts);
        differences(out, "rejected_events", expected.rejectedEvents, rejectedEvents);
        return out.length() == 0 ? "no differences" : out.toString();
    }

    private static void differences(
            StringBuilder out, String table, List<?> expected, List<?> actual) {
        List<Object> missing = new ArrayList<>(expected);
        List<Object> unexpected = new ArrayList<>();
        for (Object row : actual) {
            if (!missing.remove(row)) {
                unexpected.add(row);
            }
        }
        for (Object row : missing) {
            out.append('\n').append(table).append(" missing: ").append(row);
        }
        for (Object row : unexpected) {
            out.append('\n').append(table).append(" unexpected: ").append(row);
        }
    }

    @Override
    public String toString() {
        return String.join(
                "\n",
                Arrays.asList(
                        "content_stats: " + contentStats,
                        "region_health: " + regionHealth,
                        "device_stats: " + deviceStats,
                        "alerts: " + alerts,
                        "rejected_events: " + rejectedEvents));
    }
}
