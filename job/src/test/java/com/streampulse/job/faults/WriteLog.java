package com.streampulse.job.faults;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Every write to the three stats tables, logged by PostgreSQL triggers the test installs: each row
 * an upsert proposes ({@code attempt}, from a BEFORE INSERT trigger, so also a proposal the upsert
 * then declines) and each row it replaces ({@code update}, from an AFTER UPDATE trigger, with the
 * old and the new event count). A row replaced by one with a lower count is an older value of its
 * window: that is what a zombie writer, or a replay from a checkpoint, puts back.
 */
final class WriteLog {

    private static final String[] TABLES = {"content_stats", "region_health", "device_stats"};

    private static final String FUNCTION =
            """
            CREATE OR REPLACE FUNCTION test_log_write() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
              n jsonb := to_jsonb(NEW);
              o jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END;
            BEGIN
              INSERT INTO test_write_log (tbl, row_key, op, old_count, new_count) VALUES (
                TG_TABLE_NAME,
                concat_ws('/', n->>'content_id', n->>'region', n->>'device', n->>'os_version',
                          n->>'window_start'),
                CASE WHEN TG_OP = 'UPDATE' THEN 'update' ELSE 'attempt' END,
                coalesce(o->>'download_count', o->>'total_downloads')::bigint,
                coalesce(n->>'download_count', n->>'total_downloads')::bigint);
              RETURN NEW;
            END $$""";

    /** How many rows were proposed and how many replaced by an older value of their window. */
    record Writes(long attempts, long olderThanLogged, long regressions) {}

    private final DataSource db;

    private WriteLog(DataSource db) {
        this.db = db;
    }

    /** Creates (or empties) the log and puts the triggers on the stats tables. */
    static WriteLog install(DataSource db) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            s.execute(
                    "CREATE TABLE IF NOT EXISTS test_write_log (seq bigserial PRIMARY KEY, tbl"
                            + " text NOT NULL, row_key text NOT NULL, op text NOT NULL, old_count"
                            + " bigint, new_count bigint NOT NULL, at timestamptz NOT NULL DEFAULT"
                            + " clock_timestamp())");
            s.execute("TRUNCATE test_write_log");
            s.execute(FUNCTION);
            for (String table : TABLES) {
                s.execute("DROP TRIGGER IF EXISTS test_log_attempt ON " + table);
                s.execute(
                        "CREATE TRIGGER test_log_attempt BEFORE INSERT ON "
                                + table
                                + " FOR EACH ROW EXECUTE FUNCTION test_log_write()");
                s.execute("DROP TRIGGER IF EXISTS test_log_update ON " + table);
                s.execute(
                        "CREATE TRIGGER test_log_update AFTER UPDATE ON "
                                + table
                                + " FOR EACH ROW EXECUTE FUNCTION test_log_write()");
            }
        }
        return new WriteLog(db);
    }

    /** Removes the triggers, so later tests on the same database write without them. */
    void uninstall() throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            for (String table : TABLES) {
                s.execute("DROP TRIGGER IF EXISTS test_log_attempt ON " + table);
                s.execute("DROP TRIGGER IF EXISTS test_log_update ON " + table);
            }
        }
    }

    /** The position of the newest entry: {@link #between} counts what comes after it. */
    long mark() throws SQLException {
        return single("SELECT coalesce(max(seq), 0) FROM test_write_log");
    }

    /**
     * The writes logged after {@code from} up to {@code to}: proposals, proposals with a lower
     * count than the highest one logged for the same row before them, and rows actually replaced by
     * a lower count.
     */
    Writes between(long from, long to) throws SQLException {
        return new Writes(
                single(
                        "SELECT count(*) FROM test_write_log WHERE seq > ? AND seq <= ? AND op ="
                                + " 'attempt'",
                        from,
                        to),
                single(
                        "SELECT count(*) FROM test_write_log a WHERE a.seq > ? AND a.seq <= ? AND"
                                + " a.op = 'attempt' AND a.new_count < (SELECT max(b.new_count)"
                                + " FROM test_write_log b WHERE b.tbl = a.tbl AND b.row_key ="
                                + " a.row_key AND b.seq < a.seq)",
                        from,
                        to),
                single(
                        "SELECT count(*) FROM test_write_log WHERE seq > ? AND seq <= ? AND op ="
                                + " 'update' AND new_count < old_count",
                        from,
                        to));
    }

    /**
     * The rows proposed after {@code from}, one line each: table, row, the proposed count and the
     * highest count logged for that row before it.
     */
    List<String> attemptsAfter(long from) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT a.tbl, a.row_key, a.new_count, (SELECT max(b.new_count)"
                                        + " FROM test_write_log b WHERE b.tbl = a.tbl AND"
                                        + " b.row_key = a.row_key AND b.seq < a.seq) FROM"
                                        + " test_write_log a WHERE a.seq > ? AND a.op = 'attempt'"
                                        + " ORDER BY a.seq")) {
            ps.setLong(1, from);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lines.add(
                            String.format(
                                    "%s %s: count %d over %d",
                                    rs.getString(1),
                                    rs.getString(2),
                                    rs.getLong(3),
                                    rs.getLong(4)));
                }
            }
        }
        return lines;
    }

    /** Client sessions other than the caller's: the job's sink connections. */
    long otherSessions() throws SQLException {
        return single(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                        + " AND pid <> pg_backend_pid()");
    }

    private long single(String sql, long... parameters) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setLong(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
