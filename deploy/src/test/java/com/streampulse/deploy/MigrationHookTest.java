package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.streampulse.testkit.EmbeddedPostgresDb;
import com.streampulse.testkit.SelfSignedCertificate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's migration hook, run as the cluster would run it: the rendered container's command and
 * environment (secretKeyRefs resolved from a stand-in Secret), with the image's job jar replaced by
 * the one the job module just built, against a real PostgreSQL.
 */
class MigrationHookTest {

    private static final String IMAGE_JAR = "/opt/flink/usrlib/streampulse-job.jar";

    /** An empty database: the test kit's own is migrated already. */
    private static final String DATABASE = "hook_test";

    private static Project project;
    private static Path jobJar;
    private static EmbeddedPostgresDb postgres;

    @BeforeAll
    static void start() {
        project = Project.fromBuild();
        jobJar =
                project.root()
                        .resolve("job/target/streampulse-job-" + project.version() + "-flink.jar");
        postgres = EmbeddedPostgresDb.start();
        try (Connection c = postgres.dataSource().getConnection();
                Statement statement = c.createStatement()) {
            statement.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        postgres.close();
    }

    @Test
    void hookCommandMigratesARealDatabaseAndIsIdempotent() throws Exception {
        assertThat(jobJar)
                .as("the job module's shaded jar (built before this module)")
                .isRegularFile();
        JsonNode container = hookContainer();

        Result first = run(container);
        Result second = run(container);

        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).containsPattern("Applied [1-9]\\d* migrations");
        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(second.output()).contains("Applied 0 migrations");
        assertThat(first.output())
                .contains("password=******")
                .doesNotContain("password=" + EmbeddedPostgresDb.PASSWORD);
        assertThat(tables())
                .contains(
                        "content_stats",
                        "region_health",
                        "device_stats",
                        "alerts",
                        "rejected_events");
    }

    /**
     * postgres.sslMode=verify-full with postgres.tls.caSecret: the hook finds the CA where the
     * chart mounts it and verifies the server; with another CA in that Secret it refuses to
     * connect, without a word of the password.
     */
    @Test
    void hookVerifiesPostgresWithTheCaFromTheSecret() throws Exception {
        Path otherCa = SelfSignedCertificate.create("localhost").resolve("server.crt");
        try (EmbeddedPostgresDb tls = EmbeddedPostgresDb.startWithTlsForLocalhostOnly()) {
            JsonNode job =
                    Manifests.single(
                            Manifests.parse(
                                    Charts.template(
                                            project,
                                            Map.of(
                                                    "postgres.host", "localhost",
                                                    "postgres.port", String.valueOf(tls.port()),
                                                    "postgres.database",
                                                            EmbeddedPostgresDb.DATABASE,
                                                    "postgres.sslMode", "verify-full",
                                                    "postgres.tls.caSecret", "pg-ca",
                                                    "postgres.tls.caKey", "root.pem"))),
                            "Job");
            JsonNode pod = job.at("/spec/template/spec");
            JsonNode container = pod.at("/containers/0");

            Result trusted =
                    run(
                            container,
                            PodFiles.of(
                                    pod,
                                    container,
                                    Map.of(
                                            "pg-ca",
                                            Map.of(
                                                    "root.pem",
                                                    Files.readString(tls.tlsCertificate())))));
            Result untrusted =
                    run(
                            container,
                            PodFiles.of(
                                    pod,
                                    container,
                                    Map.of(
                                            "pg-ca",
                                            Map.of("root.pem", Files.readString(otherCa)))));

            assertThat(trusted.exitCode()).as(trusted.output()).isZero();
            assertThat(trusted.output()).contains("sslmode=verify-full sslrootcert=");
            assertThat(untrusted.exitCode()).as(untrusted.output()).isNotZero();
            assertThat(untrusted.output())
                    .contains("PKIX path")
                    .doesNotContain(EmbeddedPostgresDb.PASSWORD + "\"")
                    .doesNotContain("password=" + EmbeddedPostgresDb.PASSWORD);
        }
    }

    private static JsonNode hookContainer() {
        String rendered =
                Charts.template(
                        project,
                        Map.of(
                                "postgres.host",
                                "127.0.0.1",
                                "postgres.port",
                                String.valueOf(postgres.port()),
                                "postgres.database",
                                DATABASE,
                                "postgres.sslMode",
                                "disable"));
        return Manifests.single(Manifests.parse(rendered), "Job")
                .at("/spec/template/spec/containers/0");
    }

    private static Result run(JsonNode container) throws IOException, InterruptedException {
        return run(container, null);
    }

    /** The container's command; with {@code files}, paths in its env point at their stand-ins. */
    private static Result run(JsonNode container, PodFiles files)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        for (JsonNode part : container.path("command")) {
            String arg = part.asText();
            if (arg.equals("java")) {
                arg = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            }
            command.add(arg.replace(IMAGE_JAR, jobJar.toString()));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("PG_"));
        // Stand-in for the Secret the secretKeyRefs name.
        Map<String, String> secret =
                Map.of(
                        "pg-user", EmbeddedPostgresDb.USER,
                        "pg-password", EmbeddedPostgresDb.PASSWORD);
        for (JsonNode variable : container.path("env")) {
            String name = variable.path("name").asText();
            String value =
                    variable.has("value")
                            ? variable.path("value").asText()
                            : secret.get(variable.at("/valueFrom/secretKeyRef/key").asText());
            env.put(name, files == null ? value : files.resolve(value));
        }
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("Migration did not finish in 60 s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.exitValue(), output);
    }

    private static List<String> tables() throws Exception {
        List<String> tables = new ArrayList<>();
        try (Connection c = postgres.dataSource().getConnection();
                ResultSet rs =
                        c.getMetaData().getTables(null, "public", "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                tables.add(rs.getString("TABLE_NAME"));
            }
        }
        return tables;
    }

    private record Result(int exitCode, String output) {}
}
