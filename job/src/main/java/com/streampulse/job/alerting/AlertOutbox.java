package com.streampulse.job.alerting;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The {@code alert_outbox} table: pending changes in the order they happened, and their fate. */
final class AlertOutbox {

    /** Opens a new connection for each statement: the sender is idle most of the time. */
    interface Connections {
        Connection open() throws SQLException;
    }

    private static final String PENDING =
            "SELECT id, state, alert_type, severity, previous_severity, message, scope, scope_key,"
                    + " region, content_id, metric_name, metric_value, threshold_value,"
                    + " window_start, window_end, changed_at FROM alert_outbox"
                    + " WHERE delivered_at IS NULL ORDER BY id LIMIT ?";

    /**
     * The alerts still firing, as changes to send again so Alertmanager keeps them past its
     * resolve_timeout; only those the job wrote lately, since a window past its lateness is final
     * and a person acknowledges it in the table.
     */
    private static final String ACTIVE =
            "SELECT 0, 'firing', alert_type, severity, NULL, message, scope, scope_key, region,"
                    + " content_id, metric_name, metric_value, threshold_value, window_start,"
                    + " window_end, updated_at FROM active_alerts"
                    + " WHERE updated_at > now() - make_interval(secs => ?) ORDER BY id";

    private final Connections connections;

    AlertOutbox(Connections connections) {
        this.connections = connections;
    }

    List<AlertChange> pending(int limit) throws SQLException {
        return query(PENDING, limit);
    }

    List<AlertChange> active(long horizonSeconds) throws SQLException {
        return query(ACTIVE, horizonSeconds);
    }

    void delivered(List<AlertChange> changes) throws SQLException {
        update(
                "UPDATE alert_outbox SET delivered_at = now(), attempts = attempts + 1"
                        + " WHERE id = ANY (?)",
                changes);
    }

    void failed(List<AlertChange> changes, String error) throws SQLException {
        update(
                "UPDATE alert_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ANY"
                        + " (?)",
                changes,
                error);
    }

    /** Runs {@code sql} with the given leading parameters and the changes' ids as the last one. */
    private void update(String sql, List<AlertChange> changes, String... parameters)
            throws SQLException {
        Long[] ids = changes.stream().map(AlertChange::id).toArray(Long[]::new);
        try (Connection c = connections.open();
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setString(i + 1, parameters[i]);
            }
            s.setArray(parameters.length + 1, c.createArrayOf("bigint", ids));
            s.executeUpdate();
        }
    }

    private List<AlertChange> query(String sql, long parameter) throws SQLException {
        try (Connection c = connections.open();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, parameter);
            List<AlertChange> changes = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    changes.add(
                            new AlertChange(
                                    r.getLong(1),
                                    r.getString(2).equals("firing"),
                                    r.getString(3),
                                    r.getString(4),
                                    r.getString(5),
                                    r.getString(6),
                                    r.getString(7),
                                    r.getString(8),
                                    r.getString(9),
                                    r.getString(10),
                                    r.getString(11),
                                    r.getDouble(12),
                                    r.getDouble(13),
                                    instant(r.getTimestamp(14)),
                                    instant(r.getTimestamp(15)),
                                    instant(r.getTimestamp(16))));
                }
            }
            return changes;
        }
    }

    private static Instant instant(Timestamp t) {
        return t.toInstant();
    }
}
