package com.streampulse.local;

import com.streampulse.config.Settings;
import com.streampulse.job.Banner;
import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import com.streampulse.schemas.Migrations;
import com.streampulse.testkit.EmbeddedKafka;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Kafka, PostgreSQL and the StreamPulse job in this JVM. Kafka and PostgreSQL are embedded unless
 * the job's own variables (KAFKA_BOOTSTRAP_SERVERS, PG_HOST, ...) point elsewhere; the job runs on
 * a MiniCluster with the Flink web UI. {@link #close()} stops all of it, in reverse order, once.
 */
public final class LocalStack implements AutoCloseable {

    /**
     * How to start.
     *
     * @param environment the job's settings (normally the process environment plus flags)
     * @param dataDir where PostgreSQL's data and the checkpoints live
     * @param kafkaPort the embedded broker's preferred port (0: any)
     * @param postgresPort the embedded database's preferred port (0: any)
     * @param webUiPort the Flink web UI's preferred port (0: any)
     */
    public record Options(
            Map<String, String> environment,
            Path dataDir,
            int kafkaPort,
            int postgresPort,
            int webUiPort,
            int partitions,
            int parallelism) {}

    private final PrintStream out;
    private EmbeddedKafka kafka;
    private EmbeddedPostgresDb postgres;
    private JobConfig config;
    private JobClient job;
    private String webUi;
    private boolean closed;

    private LocalStack(PrintStream out) {
        this.out = out;
    }

    /** Starts everything and returns once the job is RUNNING. */
    public static LocalStack start(Options options, PrintStream out) throws Exception {
        LocalStack stack = new LocalStack(out);
        try {
            stack.startAll(options);
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(Options options) throws Exception {
        Map<String, String> env = new HashMap<>(options.environment());
        if (blank(env.get("KAFKA_BOOTSTRAP_SERVERS"))) {
            int port = Ports.preferred(options.kafkaPort());
            kafka =
                    EmbeddedKafka.start(
                            Map.of(
                                    "listeners",
                                    "EXTERNAL://localhost:" + port + ",CONTROLLER://localhost:0"));
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            // A new embedded broker is a new log: no earlier run's windows can be replayed
            // partially, so the stateless start guard would only refuse a restart within the
            // same minute as the last run's rows.
            env.putIfAbsent("ALLOW_STATELESS_START", "true");
            out.println("✅ Kafka broker (embedded, KRaft) on " + kafka.bootstrapServers());
        }
        if (blank(env.get("PG_HOST"))) {
            Path data = options.dataDir().resolve("postgres");
            Files.createDirectories(data);
            postgres = EmbeddedPostgresDb.start(data, Ports.preferred(options.postgresPort()));
            env.put("PG_HOST", "localhost");
            env.put("PG_PORT", String.valueOf(postgres.port()));
            env.put("PG_DATABASE", EmbeddedPostgresDb.DATABASE);
            env.put("PG_USER", EmbeddedPostgresDb.USER);
            env.put("PG_PASSWORD", EmbeddedPostgresDb.PASSWORD);
            env.put("PG_SSLMODE", "disable");
            out.println(
                    "✅ PostgreSQL (embedded) on localhost:"
                            + postgres.port()
                            + ", data in "
                            + data
                            + ", migrations applied");
        }
        // Checkpoints every 10 s unless told otherwise: rows reach PostgreSQL on checkpoints.
        env.putIfAbsent("CHECKPOINT_INTERVAL", "10s");
        // Trends and sessions on, with a short warm-up, lateness and gap, and 5-minute trends, so a
        // demo
        // shows anomaly alerts, trends with their growth and closed sessions within minutes
        // (production defaults: 30 windows, 5 minutes, sessions and trends off, 15 minutes). A
        // window is
        // final, and teaches the baseline, one lateness after its end; a session is written
        // gap + lateness + one window after its last download.
        env.putIfAbsent("ANOMALY_WARMUP_WINDOWS", "3");
        env.putIfAbsent("ALLOWED_LATENESS", "1m");
        env.putIfAbsent("TRENDING_ENABLED", "true");
        env.putIfAbsent("TRENDING_WINDOW", "5m");
        env.putIfAbsent("SESSIONS_ENABLED", "true");
        env.putIfAbsent("SESSION_GAP", "2m");
        env.putIfAbsent(
                "CHECKPOINT_DIR",
                options.dataDir().resolve("checkpoints").toAbsolutePath().toUri().toString());
        config = JobConfig.from(Settings.of(env, new String[0]));
        if (postgres == null && !"false".equalsIgnoreCase(env.get("PG_MIGRATE"))) {
            int applied =
                    Migrations.apply(
                            config.postgres().jdbcUrl(),
                            config.postgres().user(),
                            config.postgres().password().value());
            out.println(
                    "✅ PostgreSQL at "
                            + config.postgres().host()
                            + ": "
                            + applied
                            + " migrations applied");
        }
        if (kafka != null) {
            kafka.createTopic(config.kafka().topic(), options.partitions());
        }
        Banner.lines(config, " (local MiniCluster)").forEach(out::println);
        startJob(options);
    }

    private void startJob(Options options) throws Exception {
        int uiPort = Ports.preferred(options.webUiPort());
        Configuration conf = new Configuration();
        conf.set(RestOptions.ADDRESS, "localhost");
        conf.set(RestOptions.BIND_ADDRESS, "localhost");
        conf.set(RestOptions.BIND_PORT, String.valueOf(uiPort));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(options.parallelism());
        job = StreamPulseJob.start(env, config);
        awaitRunning(Duration.ofSeconds(60));
        webUi = "http://localhost:" + uiPort;
        out.println(
                "✅ Job RUNNING (parallelism "
                        + options.parallelism()
                        + "), consuming "
                        + config.kafka().topic()
                        + " as group "
                        + config.kafka().groupId());
        out.println("🌐 Flink web UI: " + webUi + "/#/job/running");
    }

    private void awaitRunning(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status == JobStatus.RUNNING) {
                return;
            }
            if (status.isGloballyTerminalState()) {
                // Surfaces the job's own failure (its exception and stack trace).
                job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                throw new IllegalStateException("The job ended before it ran: " + status);
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                "The job was not RUNNING within " + timeout.toSeconds() + " s");
    }

    public JobConfig config() {
        return config;
    }

    public JobClient job() {
        return job;
    }

    public String webUi() {
        return webUi;
    }

    /** The psql command that opens the live tables. */
    public String psqlCommand() {
        return "psql \"postgresql://"
                + config.postgres().user()
                + (postgres != null ? ":" + EmbeddedPostgresDb.PASSWORD : "")
                + "@"
                + config.postgres().host()
                + ":"
                + config.postgres().port()
                + "/"
                + config.postgres().database()
                + "\"";
    }

    /** Stops the job, then the broker and the database. Safe to call twice and from a hook. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (job != null) {
            out.println("⏹  Stopping the job");
            quietly(
                    () -> {
                        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
                        if (!status.isGloballyTerminalState()) {
                            job.cancel().get(30, TimeUnit.SECONDS);
                        }
                        // The MiniCluster shuts itself down once its only job has ended.
                        try {
                            job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
                        } catch (java.util.concurrent.ExecutionException expected) {
                            // Cancelled jobs complete their result exceptionally.
                        }
                    });
        }
        if (kafka != null) {
            out.println("⏹  Stopping Kafka");
            quietly(kafka::close);
        }
        if (postgres != null) {
            out.println("⏹  Stopping PostgreSQL");
            quietly(postgres::close);
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private void quietly(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            out.println("⚠️  " + e);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
