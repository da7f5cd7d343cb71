package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real helm lint and helm template on the chart, for the default and a non-default value set. */
class HelmChartTest {

    private static Project project;
    private static List<ObjectNode> defaults;
    private static List<ObjectNode> nonDefault;

    @BeforeAll
    static void render() throws IOException {
        project = Project.fromBuild();
        String defaultYaml = Charts.template(project, ChartValues.DEFAULTS);
        String nonDefaultYaml = Charts.template(project, ChartValues.NON_DEFAULT);
        // Kept for readers (docs/kubernetes.md quotes them): what helm template renders.
        Path out = project.root().resolve("deploy/target/rendered");
        Files.createDirectories(out);
        Files.writeString(out.resolve("helm-template-defaults.yaml"), defaultYaml);
        Files.writeString(out.resolve("helm-template-non-default.yaml"), nonDefaultYaml);
        Files.writeString(
                out.resolve("helm-install-dry-run.txt"),
                Charts.installDryRunOutput(project, ChartValues.DEFAULTS));
        defaults = Manifests.parse(defaultYaml);
        nonDefault = Manifests.parse(nonDefaultYaml);
    }

    @Test
    void lintPassesWithDefaultValues() {
        LintResult result = new Helm(project.chart()).lint().strict().call();

        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]"));
    }

    @Test
    void lintPassesWithNonDefaultValues(@TempDir Path tmp) throws IOException {
        Path chart = copyWithValues(tmp, ChartValues.NON_DEFAULT);

        LintResult result = new Helm(chart).lint().strict().call();

        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void defaultValuesRenderTheJobMigrationAndAutoscaler() {
        assertThat(kindsAndNames(defaults))
                .containsExactlyInAnyOrder(
                        "FlinkDeployment/streampulse",
                        "PersistentVolumeClaim/streampulse-flink-data",
                        "Job/streampulse-migrate",
                        "ServiceAccount/streampulse-autoscaler",
                        "Role/streampulse-autoscaler",
                        "RoleBinding/streampulse-autoscaler",
                        "Deployment/streampulse-autoscaler",
                        "Service/streampulse-autoscaler",
                        "ValidatingAdmissionPolicy/streampulse-streampulse-autoscaler-scope",
                        "ValidatingAdmissionPolicyBinding/streampulse-streampulse-autoscaler-scope",
                        "NetworkPolicy/streampulse-flink",
                        "Pod/streampulse-test-job-running");
        // Everything in the release's namespace but the cluster-scoped admission policy.
        assertThat(defaults)
                .filteredOn(d -> !d.path("kind").asText().startsWith("ValidatingAdmissionPolicy"))
                .allSatisfy(
                        d ->
                                assertThat(d.at("/metadata/namespace").asText())
                                        .isEqualTo("streampulse"));
    }

    @Test
    void nonDefaultValuesRenderOnlyTheJobAndItsSecret() {
        assertThat(kindsAndNames(nonDefault))
                .containsExactlyInAnyOrder(
                        "FlinkDeployment/streampulse", "Secret/streampulse-credentials");
        JsonNode flink = Manifests.single(nonDefault, "FlinkDeployment");
        assertThat(flink.at("/metadata/annotations").isMissingNode()).isTrue();
        assertThat(env(flink, "PG_MIGRATE").path("value").asText()).isEqualTo("true");
        assertThat(env(flink, "WINDOW_SIZE").path("value").asText()).isEqualTo("5m");
        assertThat(env(flink, "KAFKA_SASL_MECHANISM").path("value").asText())
                .isEqualTo("SCRAM-SHA-512");
        // No state volume (object storage); only the PostgreSQL and Kafka CAs from their Secrets.
        List<String> secrets = new ArrayList<>();
        flink.at("/spec/podTemplate/spec/volumes")
                .forEach(v -> secrets.add(v.at("/secret/secretName").asText()));
        assertThat(secrets)
                .containsExactlyInAnyOrder(
                        ChartValues.POSTGRES_CA_SECRET, ChartValues.KAFKA_CA_SECRET);
    }

    /** kafka.tls.caSecret: the Flink pods and the autoscaler find the CA where env says it is. */
    @Test
    void theKafkaCaIsMountedWhereTheJobAndTheAutoscalerLookForIt() throws IOException {
        List<ObjectNode> rendered =
                Manifests.parse(
                        Charts.template(
                                project,
                                Map.of(
                                        "kafka.securityProtocol", "SSL",
                                        "kafka.tls.caSecret", "brokers-ca",
                                        "kafka.tls.caKey", "root.pem")));
        JsonNode flinkPod =
                Manifests.single(rendered, "FlinkDeployment").at("/spec/podTemplate/spec");
        JsonNode autoscalerPod = Manifests.single(rendered, "Deployment").at("/spec/template/spec");
        for (JsonNode pod : List.of(flinkPod, autoscalerPod)) {
            JsonNode container = pod.at("/containers/0");
            PodFiles files =
                    PodFiles.of(pod, container, Map.of("brokers-ca", Map.of("root.pem", "CA")));
            String location =
                    files.resolve(containerEnv(container, "KAFKA_SSL_TRUSTSTORE_LOCATION"));
            assertThat(Path.of(location)).hasContent("CA");
            assertThat(containerEnv(container, "KAFKA_SSL_TRUSTSTORE_TYPE")).isEqualTo("PEM");
        }
    }

    private static String containerEnv(JsonNode container, String name) {
        for (JsonNode variable : container.path("env")) {
            if (name.equals(variable.path("name").asText())) {
                return variable.path("value").asText();
            }
        }
        throw new AssertionError("No " + name);
    }

    @Test
    void migrationHookRunsMigrateMainFromTheJobImageBeforeInstallAndUpgrade() {
        JsonNode job = Manifests.single(defaults, "Job");

        assertThat(job.at("/metadata/annotations").get(Charts.HOOK_ANNOTATION).asText())
                .isEqualTo("pre-install,pre-upgrade");
        JsonNode container = job.at("/spec/template/spec/containers/0");
        assertThat(container.path("image").asText())
                .isEqualTo("streampulse-job:" + project.version());
        assertThat(container.path("command").toString())
                .contains(
                        "com.streampulse.job.MigrateMain", "/opt/flink/usrlib/streampulse-job.jar");
        assertThat(envNames(container)).contains("PG_HOST", "PG_USER", "PG_PASSWORD");
        JsonNode flink = Manifests.single(defaults, "FlinkDeployment");
        assertThat(env(flink, "PG_MIGRATE").path("value").asText()).isEqualTo("false");
    }

    @Test
    void autoscalerBoundsAndModeReachTheAnnotationsAndTheController() {
        List<ObjectNode> docs =
                Manifests.parse(Charts.template(project, ChartValues.IN_PLACE_AUTOSCALER));

        JsonNode flink = Manifests.single(docs, "FlinkDeployment");
        assertThat(flink.at("/metadata/annotations"))
                .hasToString(
                        "{\"streampulse.io/autoscaler\":\"enabled\","
                                + "\"streampulse.io/autoscaler-min-parallelism\":\"2\","
                                + "\"streampulse.io/autoscaler-max-parallelism\":\"12\","
                                + "\"streampulse.io/autoscaler-topic\":\"content-downloads\","
                                + "\"streampulse.io/autoscaler-consumer-group\":"
                                + "\"streampulse-processor\"}");
        assertThat(flink.at("/spec/flinkConfiguration/jobmanager.scheduler").asText())
                .isEqualTo("adaptive");
        JsonNode controller =
                Manifests.single(docs, "Deployment").at("/spec/template/spec/containers/0");
        assertThat(envValue(controller, "AUTOSCALER_MODE")).isEqualTo("in-place");
        assertThat(envValue(controller, "AUTOSCALER_MIN_PARALLELISM")).isEqualTo("2");
        assertThat(envValue(controller, "AUTOSCALER_MAX_PARALLELISM")).isEqualTo("12");
        assertThat(envValue(controller, "AUTOSCALER_DRY_RUN")).isEqualTo("true");
        assertThat(envNames(controller))
                .contains("POD_NAME", "WATCH_NAMESPACE", "LEASE_NAME", "KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void notesTellHowToWatchTheJobAndTheAutoscaler() {
        String output = Charts.installDryRunOutput(project, ChartValues.DEFAULTS);

        assertThat(output)
                .contains(
                        "kubectl -n streampulse get flinkdeployment streampulse -w",
                        "kubectl -n streampulse logs deploy/streampulse-autoscaler -f",
                        "helm test streampulse -n streampulse\n",
                        "Secret/streampulse-credentials");
    }

    @Test
    void defaultSchedulerUnlessTheAutoscalerRescalesInPlace() {
        JsonNode flink = Manifests.single(defaults, "FlinkDeployment");

        assertThat(flink.at("/spec/flinkConfiguration/jobmanager.scheduler").isMissingNode())
                .isTrue();
    }

    @Test
    void valuesSchemaRejectsAnUnknownAutoscalerMode() {
        assertThatThrownBy(() -> Charts.template(project, Map.of("autoscaler.mode", "sideways")))
                .hasMessageContaining("autoscaler.mode");
    }

    @Test
    void valuesSchemaRefusesAStatelessUpgradeMode() {
        assertThatThrownBy(() -> Charts.template(project, Map.of("job.upgradeMode", "stateless")))
                .hasMessageContaining("job.upgradeMode")
                .hasMessageContaining("\"last-state\", \"savepoint\"");
    }

    /** What `helm install --skip-schema-validation` would get: the template refuses it too. */
    @Test
    void templateRefusesAStatelessUpgradeModeWithOneLineWithoutTheSchema(@TempDir Path tmp)
            throws IOException {
        Path chart = Charts.copy(project.chart(), tmp.resolve("streampulse"));
        Files.delete(chart.resolve("values.schema.json"));

        assertThatThrownBy(
                        () ->
                                new Helm(chart)
                                        .template()
                                        .withName(Charts.RELEASE)
                                        .withNamespace(Charts.NAMESPACE)
                                        .set("job.upgradeMode", "stateless")
                                        .call())
                .hasMessageContaining(
                        "job.upgradeMode \"stateless\" is refused: this job must keep its state"
                                + " across upgrades (a stateless start resumes at the committed"
                                + " Kafka offsets and overwrites complete result rows with partial"
                                + " sums); use last-state or savepoint");
        for (String mode : List.of("last-state", "savepoint")) {
            JsonNode flink =
                    Manifests.single(
                            Manifests.parse(
                                    new Helm(chart)
                                            .template()
                                            .withName(Charts.RELEASE)
                                            .withNamespace(Charts.NAMESPACE)
                                            .set("job.upgradeMode", mode)
                                            .call()),
                            "FlinkDeployment");
            assertThat(flink.at("/spec/job/upgradeMode").asText()).isEqualTo(mode);
        }
    }

    @Test
    void valuesSchemaRejectsZeroParallelismAndUnknownKeys() {
        assertThatThrownBy(() -> Charts.template(project, Map.of("job.parallelism", "0")))
                .hasMessageContaining("parallelism");
        assertThatThrownBy(() -> Charts.template(project, Map.of("job.paralelism", "2")))
                .hasMessageContaining("paralelism");
    }

    @Test
    void valuesSchemaRefusesCredentialsAsPlainEnvironment() {
        assertThatThrownBy(() -> Charts.template(project, Map.of("job.extraEnv.PG_PASSWORD", "x")))
                .hasMessageContaining("extraEnv");
        assertThatThrownBy(
                        () ->
                                Charts.template(
                                        project, Map.of("autoscaler.extraEnv.KAFKA_PASSWORD", "x")))
                .hasMessageContaining("extraEnv");
    }

    @Test
    void minAboveMaxParallelismFailsTheRender() {
        assertThatThrownBy(
                        () ->
                                Charts.template(
                                        project,
                                        Map.of(
                                                "autoscaler.minParallelism", "8",
                                                "autoscaler.maxParallelism", "4")))
                .hasMessageContaining("must not exceed autoscaler.maxParallelism");
    }

    @Test
    void chartCreatedSecretNeedsThePasswords() {
        assertThatThrownBy(() -> Charts.template(project, Map.of("credentials.existingSecret", "")))
                .hasMessageContaining("credentials.create.pgUser is required");
    }

    static List<String> kindsAndNames(List<ObjectNode> documents) {
        return documents.stream()
                .map(d -> d.path("kind").asText() + "/" + Manifests.name(d))
                .toList();
    }

    static JsonNode env(JsonNode flinkDeployment, String name) {
        return envEntry(flinkDeployment.at("/spec/podTemplate/spec/containers/0"), name);
    }

    static JsonNode envEntry(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) {
                return e;
            }
        }
        throw new AssertionError("No variable " + name + " in " + container.path("name"));
    }

    static String envValue(JsonNode container, String name) {
        return envEntry(container, name).path("value").asText();
    }

    static List<String> envNames(JsonNode container) {
        return Stream.of(container.path("env"))
                .flatMap(env -> java.util.stream.StreamSupport.stream(env.spliterator(), false))
                .map(e -> e.path("name").asText())
                .toList();
    }

    /** A copy of the chart whose values.yaml carries the overrides, for helm lint. */
    private static Path copyWithValues(Path tmp, Map<String, String> overrides) throws IOException {
        Path chart = Charts.copy(project.chart(), tmp.resolve("streampulse"));
        ObjectNode values =
                (ObjectNode) Manifests.YAML.readTree(chart.resolve("values.yaml").toFile());
        overrides.forEach((path, value) -> setPath(values, path, value));
        Manifests.YAML.writeValue(chart.resolve("values.yaml").toFile(), values);
        return chart;
    }

    /** --set semantics for the few types the overrides use: booleans, integers, strings. */
    private static void setPath(ObjectNode root, String path, String value) {
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.has(parts[i]) ? (ObjectNode) node.get(parts[i]) : node.putObject(parts[i]);
        }
        String key = parts[parts.length - 1];
        if (value.equals("true") || value.equals("false")) {
            node.put(key, Boolean.parseBoolean(value));
        } else if (value.matches("-?\\d+")) {
            node.put(key, Integer.parseInt(value));
        } else {
            node.put(key, value);
        }
    }
}
