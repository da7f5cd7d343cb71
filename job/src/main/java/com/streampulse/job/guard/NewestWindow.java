package com.streampulse.job.guard;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * The newest window the result tables hold, and which table holds it.
 *
 * @param table the table ({@code content_stats}, {@code region_health} or {@code device_stats})
 * @param windowStart the newest {@code window_start} in it, epoch milliseconds
 */
public record NewestWindow(String table, long windowStart) {

    /**
     * The window tables, in the order that breaks ties. Alerts are left out: every alert row
     * belongs to a content or region window that is in these tables too.
     */
    static final List<String> TABLES = List.of("content_stats", "region_health", "device_stats");

    /**
     * Reads the newest window of every window table; empty when all are empty. Each {@code max} is
     * answered from the table's {@code window_start} index, so this stays cheap on large tables.
     */
    public static Optional<NewestWindow> read(Connection connection) throws SQLException {
        NewestWindow newest = null;
        try (Statement s = connection.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet r = s.executeQuery("SELECT max(window_start) FROM " + table)) {
                    r.next();
                    OffsetDateTime start = r.getObject(1, OffsetDateTime.class);
                    if (start != null) {
                        long millis = start.toInstant().toEpochMilli();
                        if (newest == null || millis > newest.windowStart()) {
                            newest = new NewestWindow(table, millis);
                        }
                    }
                }
            }
        }
        return Optional.ofNullable(newest);
    }

    @Override
    public String toString() {
        return table + " window " + Instant.ofEpochMilli(windowStart);
    }
}
