package com.streampulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.generator.Generator;
import com.streampulse.generator.KafkaSink;
import com.streampulse.generator.Outgoing.Kind;
import com.streampulse.generator.SyntheticOptions;
import com.streampulse.generator.SyntheticSource;
import com.streampulse.testkit.EmbeddedKafka;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole local stack, as {@code make run} starts it, for a bounded run with a fixed seed: every
 * table gets rows, and every event sent is accounted for exactly once, aggregated or rejected.
 */
class LocalStackSmokeTest {

    static final long SEED = 20261128L;
    static final int EVENTS = 4_000;
    static final Duration DEADLINE = Duration.ofSeconds(120);

    /** Small windows and frequent checkpoints, so the run takes seconds, not minutes. */
    static final Map<String, String> FAST =
            Map.of(
                    "WINDOW_SIZE", "5s",
                    "OUT_OF_ORDERNESS", "1s",
                    "IDLENESS", "1s",
                    "CHECKPOINT_INTERVAL", "1s");

    @TempDir Path dataDir;

    @Test
    void everyEventSentIsCountedOrRejectedAndEveryTableHasRows() throws Exception {
        LocalStack.Options options = new LocalStack.Options(FAST, dataDir, 0, 0, 0, 4, 2);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try (LocalStack stack = LocalStack.start(options, quiet)) {
            Generator.Summary sent;
            try (KafkaSink sink =
                    KafkaSink.open(stack.config().kafka(), Duration.ofSeconds(10), 0)) {
                SyntheticOptions events =
                        SyntheticOptions.plain(SEED, Instant.now(), 2_000)
                                .withDegraded(List.of("EU-Paris"), Duration.ZERO)
                                .withBadInput(0.01, 0.01);
                sent =
                        new Generator(
                                        new SyntheticSource(events),
                                        new ArrayList<>(List.of(sink)),
                                        2_000,
                                        EVENTS,
                                        null,
                                        null,
                                        quiet)
                                .run();
            }
            assertThat(sent.total()).isEqualTo(EVENTS);
            long valid = sent.count(Kind.VALID);
            long malformed = sent.count(Kind.MALFORMED);
            long invalid = sent.count(Kind.INVALID);
            assertThat(malformed).isPositive();
            assertThat(invalid).isPositive();

            TableCounts counts = awaitAccounted(stack, EVENTS);

            assertThat(counts.regionTotal()).isEqualTo(valid);
            assertThat(counts.contentTotal()).isEqualTo(valid);
            assertThat(counts.deviceTotal()).isEqualTo(valid);
            assertThat(counts.malformed()).isEqualTo(malformed);
            assertThat(counts.invalid()).isEqualTo(invalid);
            assertThat(counts.late()).isZero();
            assertThat(counts.contentRows()).isPositive();
            assertThat(counts.regionRows()).isPositive();
            assertThat(counts.deviceRows()).isPositive();
            assertThat(counts.alertRows()).isPositive();
            assertThat(alertTypesFor(stack, "EU-Paris"))
                    .contains("HIGH_ERROR_RATE/CRITICAL", "SLOW_DOWNLOADS/WARNING");
        }
    }

    @Test
    void externalKafkaAndPostgresAreUsedThroughTheJobsVariables() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                EmbeddedPostgresDb postgres = EmbeddedPostgresDb.start()) {
            Map<String, String> env = new HashMap<>(FAST);
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            env.put("KAFKA_TOPIC", "external-downloads");
            env.put("PG_HOST", "localhost");
            env.put("PG_PORT", String.valueOf(postgres.port()));
            env.put("PG_DATABASE", EmbeddedPostgresDb.DATABASE);
            env.put("PG_USER", EmbeddedPostgresDb.USER);
            env.put("PG_PASSWORD", EmbeddedPostgresDb.PASSWORD);
            env.put("PG_SSLMODE", "disable");
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            try (LocalStack stack =
                    LocalStack.start(new LocalStack.Options(env, dataDir, 0, 0, 0, 2, 1), quiet)) {
                assertThat(stack.config().kafka().bootstrapServers())
                        .isEqualTo(kafka.bootstrapServers());
                assertThat(stack.psqlCommand()).contains(":" + postgres.port() + "/");
                try (KafkaSink sink =
                        KafkaSink.open(stack.config().kafka(), Duration.ofSeconds(10), 2)) {
                    new Generator(
                                    new SyntheticSource(
                                            SyntheticOptions.plain(SEED, Instant.now(), 1_000)),
                                    new ArrayList<>(List.of(sink)),
                                    1_000,
                                    500,
                                    null,
                                    null,
                                    quiet)
                            .run();
                }
                long deadline = System.nanoTime() + DEADLINE.toNanos();
                long counted = 0;
                while (counted != 500 && System.nanoTime() < deadline) {
                    try (Connection c = postgres.dataSource().getConnection()) {
                        counted = TableCounts.read(c).regionTotal();
                    }
                    Thread.sleep(500);
                }
                assertThat(counted).isEqualTo(500);
            }
        }
    }

    /** Polls PostgreSQL until every record sent is in a window or rejected, with a deadline. */
    private static TableCounts awaitAccounted(LocalStack stack, long sent) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        TableCounts counts = null;
        while (System.nanoTime() < deadline) {
            try (Connection c = connect(stack)) {
                counts = TableCounts.read(c);
            }
            if (counts.accountedFor() == sent
                    && counts.contentTotal() == counts.regionTotal()
                    && counts.deviceTotal() == counts.regionTotal()
                    && counts.alertRows() > 0) {
                return counts;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(
                "Not every record was accounted for within " + DEADLINE + ": " + counts);
    }

    private static List<String> alertTypesFor(LocalStack stack, String region) throws SQLException {
        List<String> types = new ArrayList<>();
        try (Connection c = connect(stack);
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "SELECT DISTINCT alert_type || '/' || severity FROM alerts"
                                        + " WHERE scope = 'region' AND scope_key = '"
                                        + region
                                        + "'")) {
            while (r.next()) {
                types.add(r.getString(1));
            }
        }
        return types;
    }

    private static Connection connect(LocalStack stack) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", stack.config().postgres().user());
        props.setProperty("password", stack.config().postgres().password().value());
        return DriverManager.getConnection(stack.config().postgres().jdbcUrl(), props);
    }
}
