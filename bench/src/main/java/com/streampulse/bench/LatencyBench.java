package com.streampulse.bench;

import com.streampulse.generator.WorkloadShape;
import com.streampulse.job.config.JobConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;

/**
 * Latency of the running production job at a fixed rate, with no generator running while it is
 * measured. The events are loaded into the topic first, event {@code i} stamped (payload and Kafka
 * timestamp) {@code i / rate} after a base instant; then the job reads them paced to the rate by a
 * broker quota on its readers' client ids ({@link ReadQuota}), as if producers were sending them
 * live. Windows are {@code window} long instead of a minute, so a run covers many firings; the code
 * path (source, event time, pre-aggregation, windows, alert rules, unnest sinks writing every 5,000
 * rows, on every watermark and every second, checkpoints every 30 s) is the production one.
 *
 * <p><b>The schedule.</b> The quota is set before the job starts, so its readers read at the rate
 * from their first fetch (the broker lets a new client read about a second's worth at once), and
 * adjusted every {@link #SAMPLE} to keep the reads on the schedule ({@link #catchUp}). When the
 * first records have been read, the schedule's start {@code T0} is placed so that they are exactly
 * on time: event time {@code e} is then due at wall time {@code e + (T0 - base)}. Nothing in the
 * job compares event time with the wall clock except when every partition is idle (not the case
 * here), so the constant offset changes nothing it does.
 *
 * <p><b>What is reported.</b> A row's latency is its {@code created_at} (PostgreSQL's {@code now()}
 * in the sink's transaction that inserted it; visible at its commit, milliseconds later) minus (i)
 * the wall time its window's end + out-of-orderness was due, the earliest the job may close it, and
 * (ii) the wall time its window's end was due, when its newest event was created. The pacing error
 * (records read against the schedule, sampled every {@link #SAMPLE}) is reported next to it: reads
 * behind the schedule add to both figures, reads ahead take from them.
 */
final class LatencyBench {

    /** Result of one latency run. */
    record Result(
            WorkloadShape shape,
            double rate,
            Duration window,
            List<Double> afterWindowClose,
            List<Double> afterNewestEvent,
            int windows,
            int windowsDue,
            EventLoader.Loaded loaded,
            double seconds,
            List<Double> behindMillis,
            double cpuCores,
            String load) {}

    /** Windows due to close this soon after T0 are left out: the job is still warming up. */
    static final Duration STARTUP = Duration.ofSeconds(20);

    private static final Duration SAMPLE = Duration.ofMillis(200);

    /** A progress line every this many samples (5 s). */
    private static final int PROGRESS_EVERY = 25;

    /** Events loaded beyond the measured time: the last windows close on traffic, not idleness. */
    private static final Duration TAIL = Duration.ofSeconds(30);

    private final Infrastructure infra;
    private final BenchCluster cluster;
    private final BenchOptions options;

    LatencyBench(Infrastructure infra, BenchCluster cluster, BenchOptions options) {
        this.infra = infra;
        this.cluster = cluster;
        this.options = options;
    }

    Result measure(
            WorkloadShape shape,
            double rate,
            Duration window,
            String topic,
            EventLoader loader,
            Path checkpoints)
            throws Exception {
        infra.kafka().createTopic(topic, options.partitions());
        infra.truncate();
        ScaleBench.deleteRecursively(checkpoints);
        Instant base = Instant.now();
        long count = (long) (rate * (options.latencySeconds() + TAIL.toSeconds()));
        EventLoader.Loaded loaded =
                loader.scheduled(topic, shape, count, options.seed(), base, rate);
        double bytesPerRecord = (double) logBytes(topic) / loaded.records();
        System.out.printf(
                "  loaded %,d %s events in %.1f s (%.0f bytes each on the broker); reading them at"
                        + " %,.0f events/s = %,.0f bytes/s%n",
                loaded.records(),
                shape.label(),
                loaded.seconds(),
                bytesPerRecord,
                rate,
                rate * bytesPerRecord);

        JobConfig config =
                Scenarios.checkpointed(
                        infra,
                        topic,
                        options,
                        SustainedBench.CHECKPOINT_INTERVAL,
                        checkpoints,
                        Map.of("WINDOW_SIZE", window.toMillis() + "ms"));
        StreamExecutionEnvironment env = Scenarios.environment(options.parallelism());
        Scenarios.production(env, config, options);
        try (ReadQuota quota =
                new ReadQuota(
                        infra.kafka().adminProperties(),
                        config.kafka().groupId(),
                        options.parallelism())) {
            quota.set(rate * bytesPerRecord);
            JobID job = cluster.submit(env, topic);
            try {
                return run(shape, rate, window, topic, config, base, loaded, quota, bytesPerRecord);
            } finally {
                cluster.cancel(job);
                deleteTopic(topic);
            }
        }
    }

    /**
     * A run's backlog is 14-24 GB at 50-80 % of the catalog's sustained rate (181 bytes per event
     * for 350 s): deleted once measured, so the broker's disk holds one run's at a time.
     */
    private void deleteTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(infra.kafka().adminProperties())) {
            admin.deleteTopics(List.of(topic)).all().get();
        }
    }

    private Result run(
            WorkloadShape shape,
            double rate,
            Duration window,
            String job,
            JobConfig config,
            Instant base,
            EventLoader.Loaded loaded,
            ReadQuota quota,
            double bytesPerRecord)
            throws Exception {
        long readAtStart = awaitFirstRecords(job);
        long t0 = System.currentTimeMillis() - (long) (readAtStart * 1000.0 / rate);
        long offset = t0 - base.toEpochMilli(); // wall time due = event time + offset
        System.out.printf(
                "  first %,d records read at %s: T0 placed %,d ms before%n",
                readAtStart, Instant.now(), System.currentTimeMillis() - t0);

        ProcessMeter meter = ProcessMeter.start();
        long end = t0 + options.latencySeconds() * 1000L;
        List<Double> behind = new ArrayList<>();
        RunProgress progress = new RunProgress(job, System.currentTimeMillis(), readAtStart);
        while (System.currentTimeMillis() < end) {
            sleep(SAMPLE);
            long now = System.currentTimeMillis();
            double behindMillis = (now - t0) - InProcessMetrics.recordsRead(job) * 1000.0 / rate;
            behind.add(behindMillis);
            quota.set(rate * bytesPerRecord * catchUp(behindMillis));
            if (behind.size() % PROGRESS_EVERY == 0) {
                progress.print(now, (now - t0) / 1000.0, behindMillis, catchUp(behindMillis));
            }
        }
        ProcessMeter.Usage usage = meter.stop();
        String load = Load.describe();
        // The last counted window is due to close at the end. A job behind the schedule closes it
        // later: wait until it has read that far (at most the measured time again), then for the
        // sinks' flush, so that slow windows count as slow instead of missing.
        long dueRead = (long) ((end - t0) * rate / 1000.0);
        long waitUntil = System.currentTimeMillis() + options.latencySeconds() * 1000L;
        long read;
        while ((read = InProcessMetrics.recordsRead(job)) < dueRead
                && System.currentTimeMillis() < waitUntil) {
            quota.set(
                    rate
                            * bytesPerRecord
                            * catchUp((System.currentTimeMillis() - t0) - read * 1000.0 / rate));
            sleep(SAMPLE);
        }
        long ooo = config.outOfOrderness().toMillis();
        awaitLastWindow(end - ooo - offset, window, waitUntil);

        long firstClose = t0 + STARTUP.toMillis();
        List<Double> afterClose = new ArrayList<>();
        List<Double> afterNewest = new ArrayList<>();
        Set<Long> windows = new HashSet<>();
        try (Connection c = infra.db().dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT (extract(epoch FROM window_end) * 1000)::bigint,"
                                        + " (extract(epoch FROM created_at) * 1000)::bigint FROM"
                                        + " region_health UNION ALL SELECT (extract(epoch FROM"
                                        + " window_end) * 1000)::bigint, (extract(epoch FROM"
                                        + " created_at) * 1000)::bigint FROM device_stats UNION ALL"
                                        + " SELECT (extract(epoch FROM window_end) * 1000)::bigint,"
                                        + " (extract(epoch FROM created_at) * 1000)::bigint FROM"
                                        + " content_stats")) {
            while (rs.next()) {
                long endDue = rs.getLong(1) + offset;
                long created = rs.getLong(2);
                if (endDue + ooo >= firstClose && endDue + ooo <= end) {
                    afterClose.add((double) (created - endDue - ooo));
                    afterNewest.add((double) (created - endDue));
                    windows.add(endDue);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the rows' times", e);
        }
        long size = window.toMillis();
        // Window ends (in due time) whose closing falls in [firstClose, end].
        long firstEnd = Math.floorDiv(firstClose - ooo - offset + size - 1, size) * size + offset;
        int due = 0;
        for (long e = firstEnd; e + ooo <= end; e += size) {
            due++;
        }
        double seconds = (end - t0) / 1000.0;
        return new Result(
                shape,
                rate,
                window,
                afterClose,
                afterNewest,
                windows.size(),
                due,
                loaded,
                seconds,
                behind,
                usage.cpuSeconds() / seconds,
                load);
    }

    /**
     * Waits (until {@code deadline}) for rows of the last counted window, which ends at or before
     * {@code lastEnd} in event time, in all three tables: a job that fell behind writes it late,
     * and a late window counts as late instead of missing from the figures.
     */
    private void awaitLastWindow(long lastEnd, Duration window, long deadline)
            throws InterruptedException {
        long size = window.toMillis();
        long lastWindowEnd = Math.floorDiv(lastEnd, size) * size;
        String query =
                "SELECT least((SELECT max(window_end) FROM content_stats), (SELECT max(window_end)"
                        + " FROM region_health), (SELECT max(window_end) FROM device_stats))";
        while (System.currentTimeMillis() < deadline) {
            try (Connection c = infra.db().dataSource().getConnection();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(query)) {
                rs.next();
                java.sql.Timestamp written = rs.getTimestamp(1);
                if (written != null && written.getTime() >= lastWindowEnd) {
                    sleep(Duration.ofSeconds(2)); // the window's other subtask and sinks
                    return;
                }
            } catch (SQLException e) {
                throw new IllegalStateException("Could not read the newest window written", e);
            }
            sleep(SAMPLE);
        }
    }

    /**
     * The quota's share of the rate: events due by now are in Kafka as if producers had sent them,
     * so a job behind the schedule may read them faster (up to 4 times the rate) to catch up, as
     * from a live topic; one ahead of it is slowed, since those events are not due yet.
     */
    static double catchUp(double behindMillis) {
        return Math.max(0.25, Math.min(4, 1 + behindMillis / 1000.0));
    }

    /** Waits until the job's readers have read something; returns how much. */
    private static long awaitFirstRecords(String job) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        long read;
        while ((read = InProcessMetrics.recordsRead(job)) == 0) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(
                        "The latency job read nothing in 3 minutes; inputs: "
                                + InProcessMetrics.describeInputs(job));
            }
            sleep(Duration.ofMillis(20));
        }
        return read;
    }

    /** Bytes of {@code topic}'s log segments: what the readers fetch, record framing included. */
    private long logBytes(String topic) {
        long bytes = 0;
        for (Path dir : infra.kafka().logDirectories()) {
            try (Stream<Path> files = Files.walk(dir)) {
                bytes +=
                        files.filter(
                                        f ->
                                                f.getParent()
                                                                .getFileName()
                                                                .toString()
                                                                .startsWith(topic + "-")
                                                        && f.toString().endsWith(".log"))
                                .mapToLong(LatencyBench::size)
                                .sum();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bytes;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis()); // pacing the samples, not synchronisation
    }
}
