package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** operator-config/ fits the manifests: same namespace, same ports, the promised behaviour. */
class OperatorConfigTest {

    private static Project project;
    private static JsonNode values;
    private static JsonNode flinkConf;

    @BeforeAll
    static void load() throws IOException {
        project = Project.fromBuild();
        values =
                Manifests.YAML.readTree(
                        project.root().resolve("operator-config/values.yaml").toFile());
        flinkConf =
                Manifests.YAML.readTree(
                        project.root().resolve("operator-config/flink-conf.yaml").toFile());
    }

    /**
     * 1.10.0 is the operator whose CRD these tests use, not the only one for Flink 1.20: 1.11 to
     * 1.13 know v1_20 too. The README once said otherwise.
     */
    @Test
    void readmeDoesNotCallTheOperatorVersionTheOnlyOneForFlink120() throws IOException {
        String readme = Files.readString(project.root().resolve("operator-config/README.md"));
        assertThat(readme)
                .doesNotContain("newest release whose")
                .contains("1.11, 1.12\nand 1.13 know `v1_20` too");
    }

    @Test
    void operatorWatchesTheNamespaceTheJobRunsIn() {
        String namespace =
                Manifests.name(Manifests.parse(project.k8s().resolve("namespace.yaml")).get(0));
        List<String> watched = new ArrayList<>();
        values.path("watchNamespaces").forEach(n -> watched.add(n.asText()));

        assertThat(watched).containsExactly(namespace);
        assertThat(namespace).isEqualTo(Charts.NAMESPACE);
    }

    @Test
    void operatorMetricsPortIsTheReporterPort() {
        assertThat(values.at("/metrics/port").asInt())
                .isEqualTo(flinkConf.path("kubernetes.operator.metrics.reporter.prom.port").asInt())
                .isPositive();
    }

    @Test
    void defaultFlinkReporterPortIsTheChartMetricsPort() throws IOException {
        JsonNode chartValues =
                Manifests.YAML.readTree(project.chart().resolve("values.yaml").toFile());

        assertThat(flinkConf.path("metrics.reporter.prom.port").asInt())
                .isEqualTo(chartValues.at("/metrics/port").asInt());
    }

    @Test
    void restartsUnhealthyJobsKeepsASavepointHistoryAndReconcilesOften() {
        assertThat(flinkConf.path("kubernetes.operator.cluster.health-check.enabled").asBoolean())
                .isTrue();
        assertThat(flinkConf.path("kubernetes.operator.job.restart.failed").asBoolean()).isTrue();
        assertThat(flinkConf.path("kubernetes.operator.savepoint.history.max.count").asInt())
                .isPositive();
        assertThat(flinkConf.path("kubernetes.operator.savepoint.history.max.age").asText())
                .isNotBlank();
        assertThat(flinkConf.path("kubernetes.operator.reconcile.interval").asText())
                .isEqualTo("15 s");
    }

    @Test
    void flinkConfIsFlatKeyValuePairs() {
        // The operator reads flink-conf.yaml as "key: value" lines: no nesting.
        flinkConf
                .fields()
                .forEachRemaining(
                        field ->
                                assertThat(field.getValue().isValueNode())
                                        .as(field.getKey())
                                        .isTrue());
        assertThat(flinkConf.size()).isGreaterThan(10);
    }
}
