package com.streampulse.job.guard;

import com.streampulse.job.config.JobConfig;
import com.streampulse.job.config.PostgresSettings;
import com.streampulse.job.guard.StartCheck.Start;
import com.streampulse.job.records.Download;
import com.streampulse.job.records.Ingested;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a start without state over results it would damage. A job that starts without a
 * checkpoint or savepoint (a {@code stateless} upgrade, lost HA data, a new deployment) reads from
 * the consumer group's committed offsets, which trail the rows already written by up to a
 * checkpoint interval; recomputing a window from there gives a partial sum, and the upsert replaces
 * the complete row with it. So, when this attempt was not restored, the first valid event of each
 * partition is checked against the newest window in PostgreSQL before it goes on: if a table
 * already holds that event's window or a newer one, the job fails once, without restarts, with one
 * line saying what it found and what to do. {@code ALLOW_STATELESS_START=true} accepts the
 * overwrite.
 *
 * <p>Whether state was restored is only known inside the job graph ({@code main()} runs again on a
 * JobManager failover in application mode), hence a pass-through function chained right after the
 * source: {@code .map(StatelessStartGuard.of(config)).name(NAME).uid(UID)}. The tables are read
 * once per subtask in {@link #initializeState}, which every source subtask passes before any window
 * of this attempt can fire (a window waits for every subtask's watermark), so the guard sees the
 * tables as the previous run left them, not rows of its own.
 *
 * <p>A restart of an unrestored start (attempt > 0, a failure before the first checkpoint) is not
 * checked again: it replays the offsets its first attempt checked, and the rows since are its own.
 */
public final class StatelessStartGuard extends RichMapFunction<Ingested, Ingested>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(StatelessStartGuard.class);

    public static final String NAME = "Stateless start guard";
    public static final String UID = "stateless-start-guard";

    /**
     * How long the tables may take to answer before the start is refused. A restart would not check
     * again (see above), so an unanswered check must fail the job, not the attempt.
     */
    static final Duration READ_DEADLINE = Duration.ofSeconds(60);

    private static final long FIRST_BACKOFF_MILLIS = 500;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final String topic;
    private final long windowMillis;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final boolean allowStatelessStart;
    private final long readDeadlineMillis;

    /** The newest window as this attempt found it; null when nothing is to be checked. */
    private transient Optional<NewestWindow> newest;

    private transient BitSet checkedPartitions;
    private transient boolean checking;

    StatelessStartGuard(
            String topic,
            long windowMillis,
            PostgresSettings postgres,
            boolean allowStatelessStart,
            Duration readDeadline) {
        this.topic = topic;
        this.windowMillis = windowMillis;
        this.jdbcUrl = postgres.jdbcUrl();
        this.user = postgres.user();
        this.password = postgres.password().isPresent() ? postgres.password().value() : null;
        this.allowStatelessStart = allowStatelessStart;
        this.readDeadlineMillis = readDeadline.toMillis();
    }

    /** The guard for the job {@code config} describes. */
    public static StatelessStartGuard of(JobConfig config) {
        return new StatelessStartGuard(
                config.kafka().topic(),
                config.windowSize().toMillis(),
                config.postgres(),
                config.allowStatelessStart(),
                READ_DEADLINE);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        Start start =
                Start.of(
                        context.isRestored(),
                        getRuntimeContext().getTaskInfo().getAttemptNumber(),
                        allowStatelessStart);
        checkedPartitions = new BitSet();
        checking = false;
        boolean first = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
        switch (start) {
            case RESTORED -> {}
            case RETRY -> {
                if (first) {
                    LOG.info(
                            "Restart before the first checkpoint of a start without state: the"
                                    + " first attempt checked these offsets, not checking again");
                }
            }
            case ALLOWED -> {
                if (first) {
                    LOG.warn(
                            "Starting without state and {}=true: windows the tables already hold"
                                    + " may be overwritten with partial sums",
                            JobConfig.ALLOW_STATELESS_START);
                }
            }
            case CHECK -> {
                newest = readNewestWindow();
                checking = newest.isPresent();
                if (first) {
                    LOG.info(
                            "Starting without state: {}",
                            newest.map(n -> "newest window in the tables is " + n)
                                    .orElse("the tables hold no windows, nothing to overwrite"));
                }
            }
        }
    }

    @Override
    public Ingested map(Ingested in) {
        if (checking && in.isValid()) {
            Download d = in.download();
            if (!checkedPartitions.get(d.partition())) {
                check(d);
                checkedPartitions.set(d.partition());
            }
        }
        return in;
    }

    private void check(Download first) {
        Optional<String> refusal = StartCheck.refusal(newest, windowMillis, topic, first);
        if (refusal.isPresent()) {
            LOG.error(refusal.get());
            throw new SuppressRestartsException(new StatelessStartRefusedException(refusal.get()));
        }
        LOG.info(
                "Starting without state: {} partition {} begins at offset {} (event time {}), after"
                        + " the newest {}: nothing to overwrite",
                topic,
                first.partition(),
                first.offset(),
                Instant.ofEpochMilli(first.timestamp()),
                newest.get());
    }

    /** Reads the newest window, retrying until the deadline, then refuses the start. */
    private Optional<NewestWindow> readNewestWindow() throws InterruptedException {
        long deadline = System.currentTimeMillis() + readDeadlineMillis;
        long backoff = FIRST_BACKOFF_MILLIS;
        while (true) {
            try (Connection c = connect()) {
                return NewestWindow.read(c);
            } catch (SQLException e) {
                if (System.currentTimeMillis() + backoff > deadline) {
                    String line =
                            "Refusing to start without state: could not read the newest windows"
                                    + " from PostgreSQL at "
                                    + jdbcUrl
                                    + " within "
                                    + Duration.ofMillis(readDeadlineMillis).toSeconds()
                                    + " s ("
                                    + e.getMessage()
                                    + "), so whether this start would overwrite complete rows is"
                                    + " unknown. Start again once PostgreSQL answers."
                                    + StartCheck.WHAT_TO_DO;
                    LOG.error(line);
                    throw new SuppressRestartsException(
                            new StatelessStartRefusedException(line, e));
                }
                LOG.warn(
                        "Could not read the newest windows from PostgreSQL yet ({}), retrying in"
                                + " {} ms",
                        e.getMessage(),
                        backoff);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    /**
     * The driver directly, not DriverManager: under Flink's user-code class loader DriverManager
     * may not see the job jar's driver. The URL carries the configured timeouts (PG_*_TIMEOUT), so
     * a black-holed server ends in the deadline.
     */
    private Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        Connection c = new org.postgresql.Driver().connect(jdbcUrl, props);
        if (c == null) {
            throw new SQLException("not a PostgreSQL JDBC URL");
        }
        return c;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // No state: whether a start was restored is all the guard needs, and Flink tells it.
    }
}
