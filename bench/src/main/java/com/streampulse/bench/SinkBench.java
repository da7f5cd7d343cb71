package com.streampulse.bench;

import com.streampulse.job.records.ContentStats;
import com.streampulse.job.sink.JdbcSinks;
import com.streampulse.job.sink.SinkTable;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.io.IOException;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.ToDoubleFunction;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * {@code make bench-sink}: the ways to upsert a batch of {@code content_stats} rows into
 * PostgreSQL, on the {@code wide} shape (every row its own key, the case that limited the job),
 * inserted and then updated with higher counts. The last candidate is the job's own sink ({@link
 * JdbcSinks#CONTENT_STATS}, an {@code unnest} of array parameters); the others are written here,
 * each with the job's upsert (count fence included), so that a change of the job's sink can be
 * measured against them. The binary COPY candidate is the job's sink from c99915a until d3e5870.
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

    /** The job's upsert from a staging table of content_stats' columns, in table order. */
    static String fromStaging(String staging) {
        return "INSERT INTO content_stats (window_start, window_end, content_id, title,"
                + " download_count, successful_downloads, failed_downloads, total_size_gb) SELECT *"
                + " FROM "
                + staging
                + " ON CONFLICT (content_id, window_start) DO UPDATE SET window_end ="
                + " EXCLUDED.window_end, title = EXCLUDED.title, download_count ="
                + " EXCLUDED.download_count, successful_downloads = EXCLUDED.successful_downloads,"
                + " failed_downloads = EXCLUDED.failed_downloads, total_size_gb ="
                + " EXCLUDED.total_size_gb, updated_at = now() WHERE content_stats.download_count"
                + " <= EXCLUDED.download_count";
    }

    /** content_stats' columns, in table order, for a temporary staging table. */
    static final String STAGING_COLUMNS =
            "(window_start timestamptz, window_end timestamptz, content_id text, title text,"
                    + " download_count bigint, successful_downloads bigint, failed_downloads"
                    + " bigint, total_size_gb float8)";

    static final long WINDOW = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    /** One way to write a batch. */
    interface Candidate {
        String name();

        void write(Connection c, List<ContentStats> batch) throws SQLException;
    }

    /**
     * One round of one candidate: rows/s of inserts of new keys, then of updates of the same keys,
     * and the CPU each took per row (the writing thread plus the PostgreSQL backend serving it), in
     * microseconds: steadier than rows/s when other processes share the cores.
     */
    record Result(
            String name,
            double insertsPerSecond,
            double updatesPerSecond,
            double insertCpuMicrosPerRow,
            double updateCpuMicrosPerRow) {}

    /** Rows/s and CPU of one pass over the rows. */
    private record Pass(double rowsPerSecond, double cpuMicrosPerRow) {}

    private SinkBench() {}

    static final int DEFAULT_ROWS = 200_000;
    static final int DEFAULT_BATCH = 5_000;
    static final int DEFAULT_ROUNDS = 8;

    public static void main(String[] args) throws Exception {
        run(
                args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : DEFAULT_ROWS,
                args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : DEFAULT_BATCH,
                args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_ROUNDS);
    }

    /**
     * Measures every candidate (printing their tables) on a PostgreSQL of its own.
     *
     * @return the job's sink's rounds
     */
    static List<Result> run(int rows, int batch, int rounds) throws Exception {
        System.out.printf(
                "Sink candidates: %,d content_stats rows (shape wide: every row its own key) in"
                    + " batches of %,d, inserted then updated; one warm-up round, then %d measured"
                    + " rounds, the candidates taking turns in alternating order; %s%n",
                rows, batch, rounds, Load.describe());
        try (EmbeddedPostgresDb db = EmbeddedPostgresDb.start()) {
            List<Candidate> candidates =
                    List.of(
                            rowByRow(
                                    "JDBC batch, one statement per row (flink-connector-jdbc)", ""),
                            rowByRow(
                                    "multi-row VALUES (pgjdbc reWriteBatchedInserts)",
                                    "reWriteBatchedInserts=true"),
                            copyTextThenUpsert(),
                            copyBinaryThenUpsert(),
                            jobSink());
            Map<String, List<Result>> results = new LinkedHashMap<>();
            for (int round = 0; round <= rounds; round++) {
                // Forwards in even rounds, backwards in odd ones: a drift in the machine's load or
                // PostgreSQL's state (autovacuum, checkpoints) over a round favours no candidate.
                List<Candidate> order = new ArrayList<>(candidates);
                if (round % 2 == 1) {
                    Collections.reverse(order);
                }
                for (Candidate candidate : order) {
                    Result r = measure(db, candidate, rows, batch);
                    if (round > 0) { // round 0 warms up the JVM and PostgreSQL
                        results.computeIfAbsent(r.name(), n -> new ArrayList<>()).add(r);
                    }
                }
            }
            System.out.printf(
                    "%n| candidate | inserts rows/s, median (min-max) | updates rows/s, median"
                        + " (min-max) | CPU µs per row, insert, median (min-max) | CPU µs per row,"
                        + " update, median (min-max) |%n|---|---|---|---|---|%n");
            for (Map.Entry<String, List<Result>> e : results.entrySet()) {
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %s | %s | %s | %s |%n",
                        e.getKey(),
                        spread(e.getValue(), Result::insertsPerSecond, "%,.0f"),
                        spread(e.getValue(), Result::updatesPerSecond, "%,.0f"),
                        spread(e.getValue(), Result::insertCpuMicrosPerRow, "%.2f"),
                        spread(e.getValue(), Result::updateCpuMicrosPerRow, "%.2f"));
            }
            List<Result> unnest = results.get(jobSink().name());
            List<Result> copy = results.get(copyBinaryThenUpsert().name());
            System.out.printf(
                    "%nThe job's unnest against binary COPY, round by round (CPU per row is the"
                            + " figure other processes disturb least):%n");
            headToHead("inserts CPU µs/row", unnest, copy, Result::insertCpuMicrosPerRow, false);
            headToHead("updates CPU µs/row", unnest, copy, Result::updateCpuMicrosPerRow, false);
            headToHead("inserts rows/s", unnest, copy, Result::insertsPerSecond, true);
            headToHead("updates rows/s", unnest, copy, Result::updatesPerSecond, true);
            System.out.printf("Load after: %s%n", Load.describe());
            return unnest;
        }
    }

    /** Median, then min-max over the rounds. */
    private static String spread(
            List<Result> rounds, ToDoubleFunction<Result> figure, String format) {
        List<Double> values = rounds.stream().map(figure::applyAsDouble).toList();
        return String.format(
                Locale.ROOT,
                format + " (" + format + "-" + format + ")",
                Stats.percentile(values, 50),
                Stats.percentile(values, 0),
                Stats.percentile(values, 100));
    }

    /**
     * How often {@code a} beat {@code b} in the same round, and the median of their ratios: a lead
     * that holds in nearly every round is a real one; one that flips is the machine's noise.
     */
    private static void headToHead(
            String what,
            List<Result> a,
            List<Result> b,
            ToDoubleFunction<Result> figure,
            boolean higherIsBetter) {
        int aBetter = 0;
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            double x = figure.applyAsDouble(a.get(i));
            double y = figure.applyAsDouble(b.get(i));
            ratios.add(x / y);
            if (higherIsBetter ? x > y : x < y) {
                aBetter++;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "  %-20s unnest / COPY median %.3f (min %.3f, max %.3f); unnest better in %d of %d"
                        + " rounds%n",
                what,
                Stats.percentile(ratios, 50),
                Stats.percentile(ratios, 0),
                Stats.percentile(ratios, 100),
                aBetter,
                ratios.size());
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
            int backend = backendPid(c);
            Pass inserts = run(c, backend, candidate, rows, batchSize, 1);
            Pass updates = run(c, backend, candidate, rows, batchSize, 2);
            return new Result(
                    candidate.name(),
                    inserts.rowsPerSecond(),
                    updates.rowsPerSecond(),
                    inserts.cpuMicrosPerRow(),
                    updates.cpuMicrosPerRow());
        }
    }

    private static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** User + system CPU of a process from /proc (clock ticks of 10 ms), in nanoseconds. */
    private static long processCpuNanos(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name, which is in parentheses and may hold spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0; // not Linux: the CPU column then counts the client only
        }
    }

    private static Pass run(
            Connection c, int backend, Candidate candidate, int rows, int size, long count)
            throws SQLException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuBefore = threads.getCurrentThreadCpuTime() + processCpuNanos(backend);
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
        double seconds = (System.nanoTime() - began) / 1e9;
        long cpu = threads.getCurrentThreadCpuTime() + processCpuNanos(backend) - cpuBefore;
        return new Pass(rows / seconds, cpu / 1e3 / rows);
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

    /**
     * COPY in the text format into a temporary table emptied by a TRUNCATE before each batch, then
     * one INSERT ... SELECT ... ON CONFLICT, every statement committing on its own (the first COPY
     * candidate measured; {@link #copyBinaryThenUpsert} stages in one transaction, in the binary
     * format).
     */
    static Candidate copyTextThenUpsert() {
        return new Candidate() {
            @Override
            public String name() {
                return "COPY (text) into a staging table truncated per batch, then INSERT ..."
                        + " SELECT ... ON CONFLICT";
            }

            @Override
            public void write(Connection c, List<ContentStats> batch) throws SQLException {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TEMP TABLE IF NOT EXISTS staging " + STAGING_COLUMNS);
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
                    s.execute(fromStaging("staging"));
                }
            }
        };
    }

    /**
     * COPY in PostgreSQL's binary format into a temporary staging table that empties itself at the
     * commit, then one INSERT ... SELECT ... ON CONFLICT, all in one transaction: the job's sink
     * from c99915a until d3e5870 went back to unnest.
     */
    static Candidate copyBinaryThenUpsert() {
        return new Candidate() {
            @Override
            public String name() {
                return "COPY (binary) into a temporary staging table, then INSERT ... SELECT ... ON"
                        + " CONFLICT, one transaction";
            }

            @Override
            public void write(Connection c, List<ContentStats> batch) throws SQLException {
                byte[] data = BinaryCopy.contentStats(batch);
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.execute(
                            "CREATE TEMP TABLE IF NOT EXISTS binary_staging "
                                    + STAGING_COLUMNS
                                    + " ON COMMIT DELETE ROWS");
                    CopyIn in =
                            c.unwrap(PGConnection.class)
                                    .getCopyAPI()
                                    .copyIn("COPY binary_staging FROM STDIN (FORMAT binary)");
                    in.writeToCopy(data, 0, data.length);
                    in.endCopy();
                    s.execute(fromStaging("binary_staging"));
                    c.commit();
                } finally {
                    c.setAutoCommit(true); // a failure ends the bench; this only tidies up
                }
            }
        };
    }

    /** The job's own sink: one INSERT ... SELECT FROM unnest(arrays) ... ON CONFLICT per batch. */
    static Candidate jobSink() {
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
