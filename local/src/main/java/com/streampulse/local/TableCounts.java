package com.streampulse.local;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What has landed in PostgreSQL: rows per table, and the totals the smoke test and the reporter
 * check against what was sent.
 */
public record TableCounts(
        long contentRows,
        long regionRows,
        long deviceRows,
        long alertRows,
        long rejectedRows,
        long windows,
        long contentTotal,
        long regionTotal,
        long deviceTotal,
        long malformed,
        long invalid,
        long late) {

    private static final String QUERY =
            """
            SELECT (SELECT count(*) FROM content_stats),
                   (SELECT count(*) FROM region_health),
                   (SELECT count(*) FROM device_stats),
                   (SELECT count(*) FROM alerts),
                   (SELECT count(*) FROM rejected_events),
                   (SELECT count(DISTINCT window_start) FROM region_health),
                   (SELECT coalesce(sum(download_count), 0) FROM content_stats),
                   (SELECT coalesce(sum(total_downloads), 0) FROM region_health),
                   (SELECT coalesce(sum(total_downloads), 0) FROM device_stats),
                   (SELECT count(*) FROM rejected_events WHERE reason = 'MALFORMED'),
                   (SELECT count(*) FROM rejected_events WHERE reason = 'INVALID'),
                   (SELECT count(*) FROM rejected_events WHERE reason = 'LATE')
            """;

    public static TableCounts read(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet r = s.executeQuery(QUERY)) {
            r.next();
            return new TableCounts(
                    r.getLong(1),
                    r.getLong(2),
                    r.getLong(3),
                    r.getLong(4),
                    r.getLong(5),
                    r.getLong(6),
                    r.getLong(7),
                    r.getLong(8),
                    r.getLong(9),
                    r.getLong(10),
                    r.getLong(11),
                    r.getLong(12));
        }
    }

    /** Every consumed record, aggregated or rejected. */
    public long accountedFor() {
        return regionTotal + rejectedRows;
    }
}
