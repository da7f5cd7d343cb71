package com.streampulse.bench;

import com.streampulse.job.records.ContentStats;
import com.streampulse.job.sink.JdbcSinks;
import com.streampulse.job.sink.SinkTable;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.postgresql.PGConnection;

/**
 * {@code make bench-sink}: the ways to upsert a batch of {@code content_stats} rows into
 * PostgreSQL, on the {@code wide} shape (every row its own key, the case that limited the job),
 * inserted and then updated with higher counts. The job's sink uses the fastest (the {@code unnest}
 * statement of {@link JdbcSinks#CONTENT_STATS}).
 */
public final class SinkBench {

    static final String ROW_UPSERT =
            "INSERT INTO content_stats (window_start, window_end, content_id, title,"
                + " download_count, successful_downloads, failed_downloads, total_size_gb) VALUES"
                + " (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (content_id, window_start) DO UPDATE SET"
                + " window_end = EXCLUDED.window_end, title = EXCLUDED.title, download_count ="
                + " EXCLUDED.download_count, successful_downloads = EXCLUDED.successful_downloads,"
                + " failed_downloads = EXCLUDED.failed_downloads, total_size_gb ="
                + " EXCLUDED.total_size_gb, updated_at = now() WHERE content_stats.download_count"
                + " <= EXCLUDED.download_count";

    static final String FROM_STAGING =
            "INSERT INTO content_stats (window_start, window_end, content_id, title,"
                + " download_count, successful_downloads, failed_downloads, total_size_gb) SELECT *"
                + " FROM staging ON CONFLICT (content_id, window_start) DO UPDATE SET window_end ="
                + " EXCLUDED.window_end, title = EXCLUDED.title, download_count ="
                + " EXCLUDED.download_count, successful_downloads = EXCLUDED.successful_downloads,"
                + " failed_downloads = EXCLUDED.failed_downloads, total_size_gb ="
                + " EXCLUDED.total_size_gb, updated_at = now() WHERE content_stats.download_count"
                + " <= EXCLUDED.download_count";

    static final long WINDOW = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    /** One way to write a batch. */
    interface Candidate {
        String name();

        void write(Connection c, List<ContentStats> batch) throws SQLException;
    }

    /** rows/s of one candidate: inserts of new keys, then updates of the same keys. */
    record Result(String name, double insertsPerSecond, double updatesPerSecond) {}

    private SinkBench() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 200_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 5_000;
        System.out.printf(
                "Sink candidates: %,d content_stats rows (shape wide: every row its own key) in"
                        + " batches of %,d, inserted then updated; %s%n",
                rows, batch, Load.describe());
        try (EmbeddedPostgresDb db = EmbeddedPostgresDb.start()) {
            List<Candidate> candidates =
                    List.of(
                            rowByRow(
                                    "JDBC batch, one statement per row (flink-connector-jdbc)", ""),
                            rowByRow(
                                    "multi-row VALUES (pgjdbc reWriteBatchedInserts)",
                                    "reWriteBatchedInserts=true"),
                            copyThenUpsert(),
                            unnest());
            List<Result> results = new ArrayList<>();
            for (int round = 0; round < 2; round++) { // the first round warms up
                results.clear();
                for (Candidate candidate : candidates) {
                    results.add(measure(db, candidate, rows, batch));
                }
            }
            System.out.printf("%n| candidate | inserts rows/s | updates rows/s |%n|---|---|---|%n");
            for (Result r : results) {
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %,.0f | %,.0f |%n",
                        r.name(),
                        r.insertsPerSecond(),
                        r.updatesPerSecond());
            }
            System.out.printf("Load after: %s%n", Load.describe());
        }
    }

    static Result measure(EmbeddedPostgresDb db, Candidate candidate, int rows, int batchSize)
            throws SQLException {
        db.truncateAll();
        String url = db.jdbcUrl();
        if (candidate instanceof RowStatements r && !r.urlParameters().isEmpty()) {
            url += "?" + r.urlParameters();
        }
        Properties props = new Properties();
        props.setProperty("user", EmbeddedPostgresDb.USER);
        props.setProperty("password", EmbeddedPostgresDb.PASSWORD);
        try (Connection c = DriverManager.getConnection(url, props)) {
            double inserts = run(c, candidate, rows, batchSize, 1);
            double updates = run(c, candidate, rows, batchSize, 2);
            return new Result(candidate.name(), inserts, updates);
        }
    }

    private static double run(Connection c, Candidate candidate, int rows, int size, long count)
            throws SQLException {
        long began = System.nanoTime();
        List<ContentStats> batch = new ArrayList<>(size);
        for (int i = 0; i < rows; i++) {
            batch.add(
                    new ContentStats(
                            WINDOW,
                            WINDOW + 60_000,
                            "wide_" + i,
                            "Wide title " + i,
                            count,
                            count,
                            0,
                            count * 4.4));
            if (batch.size() == size || i == rows - 1) {
                candidate.write(c, batch);
                batch.clear();
            }
        }
        return rows / ((System.nanoTime() - began) / 1e9);
    }

    /** One statement per row in a JDBC batch, over the URL with {@code urlParameters}. */
    record RowStatements(String name, String urlParameters) implements Candidate {
        @Override
        public void write(Connection c, List<ContentStats> batch) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(ROW_UPSERT)) {
                for (ContentStats r : batch) {
                    ps.setObject(1, time(r.windowStart()));
                    ps.setObject(2, time(r.windowEnd()));
                    ps.setString(3, r.contentId());
                    ps.setString(4, r.title());
                    ps.setLong(5, r.downloadCount());
                    ps.setLong(6, r.successfulDownloads());
                    ps.setLong(7, r.failedDownloads());
                    ps.setDouble(8, r.totalSizeGb());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    /** One statement per row; with reWriteBatchedInserts pgjdbc folds them into multi-row ones. */
    static Candidate rowByRow(String name, String urlParameters) {
        return new RowStatements(name, urlParameters);
    }

    /** COPY the batch into a temporary table, then one INSERT ... SELECT ... ON CONFLICT. */
    static Candidate copyThenUpsert() {
        return new Candidate() {
            @Override
            public String name() {
                return "COPY into a staging table, then INSERT ... SELECT ... ON CONFLICT";
            }

            @Override
            public void write(Connection c, List<ContentStats> batch) throws SQLException {
                try (Statement s = c.createStatement()) {
                    s.execute(
                            "CREATE TEMP TABLE IF NOT EXISTS staging (window_start timestamptz,"
                                    + " window_end timestamptz, content_id text, title text,"
                                    + " download_count bigint, successful_downloads bigint,"
                                    + " failed_downloads bigint, total_size_gb float8)");
                    s.execute("TRUNCATE staging");
                    StringBuilder tsv = new StringBuilder(batch.size() * 100);
                    for (ContentStats r : batch) {
                        tsv.append(time(r.windowStart()))
                                .append('\t')
                                .append(time(r.windowEnd()))
                                .append('\t')
                                .append(r.contentId())
                                .append('\t')
                                .append(r.title())
                                .append('\t')
                                .append(r.downloadCount())
                                .append('\t')
                                .append(r.successfulDownloads())
                                .append('\t')
                                .append(r.failedDownloads())
                                .append('\t')
                                .append(r.totalSizeGb())
                                .append('\n');
                    }
                    try {
                        c.unwrap(PGConnection.class)
                                .getCopyAPI()
                                .copyIn(
                                        "COPY staging FROM STDIN",
                                        new StringReader(tsv.toString()));
                    } catch (java.io.IOException e) {
                        throw new SQLException(e);
                    }
                    s.execute(FROM_STAGING);
                }
            }
        };
    }

    /** The job's own: one INSERT ... SELECT FROM unnest(arrays) per batch. */
    static Candidate unnest() {
        SinkTable<ContentStats> table = JdbcSinks.CONTENT_STATS;
        return new Candidate() {
            @Override
            public String name() {
                return "unnest of array parameters, one statement per batch (the job's sink)";
            }

            @Override
            public void write(Connection c, List<ContentStats> batch) throws SQLException {
                SinkTable.Batch<ContentStats> b = table.newBatch();
                batch.forEach(b::add);
                b.writeTo(c);
            }
        };
    }

    private static OffsetDateTime time(long millis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }
}
