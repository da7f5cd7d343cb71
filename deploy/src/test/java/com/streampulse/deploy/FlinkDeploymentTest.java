package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.KubernetesDeploymentMode;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every FlinkDeployment we ship (the chart with each value set, and k8s/) against the operator's
 * own CRD schema from the operator-api jar, then parsed into the operator's model and checked for
 * what DESIGN.md "Kubernetes" promises.
 */
class FlinkDeploymentTest {

    private static final String CRD = "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml";

    private static Project project;
    private static CrdSchema schema;

    @BeforeAll
    static void load() {
        project = Project.fromBuild();
        schema = CrdSchema.fromClasspath(CRD, "v1beta1");
    }

    /** name, manifest, expected storage base, parallelism and upgrade mode. */
    static Stream<Arguments> shipped() {
        Project p = Project.fromBuild();
        return Stream.of(
                Arguments.of(
                        "chart defaults",
                        chart(p, ChartValues.DEFAULTS),
                        "file:///flink-data",
                        2,
                        UpgradeMode.LAST_STATE),
                Arguments.of(
                        "chart non-default",
                        chart(p, ChartValues.NON_DEFAULT),
                        "s3://streampulse-state/prod",
                        6,
                        UpgradeMode.SAVEPOINT),
                Arguments.of(
                        "chart in-place autoscaler",
                        chart(p, ChartValues.IN_PLACE_AUTOSCALER),
                        "file:///flink-data",
                        2,
                        UpgradeMode.LAST_STATE),
                Arguments.of(
                        "k8s/flinkdeployment.yaml",
                        Manifests.single(
                                Manifests.parse(p.k8s().resolve("flinkdeployment.yaml")),
                                "FlinkDeployment"),
                        "file:///flink-data",
                        2,
                        UpgradeMode.LAST_STATE));
    }

    private static ObjectNode chart(Project p, Map<String, String> values) {
        return Manifests.single(Manifests.parse(Charts.template(p, values)), "FlinkDeployment");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shipped")
    void validatesAgainstTheOperatorCrdSchema(String name, ObjectNode manifest) {
        assertThat(schema.validate(manifest)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shipped")
    void runsTheJobInApplicationModeWithLastStateUpgradesAndHa(
            String name,
            ObjectNode manifest,
            String storage,
            int parallelism,
            UpgradeMode upgradeMode) {
        FlinkDeploymentSpec spec = parse(manifest).getSpec();

        assertThat(spec.getFlinkVersion()).isEqualTo(FlinkVersion.v1_20);
        assertThat(spec.getMode()).isEqualTo(KubernetesDeploymentMode.NATIVE);
        assertThat(spec.getJob().getJarURI())
                .isEqualTo("local:///opt/flink/usrlib/streampulse-job.jar");
        assertThat(spec.getJob().getEntryClass()).isEqualTo("com.streampulse.job.StreamPulseJob");
        assertThat(spec.getJob().getState()).isEqualTo(JobState.RUNNING);
        assertThat(spec.getJob().getParallelism()).isEqualTo(parallelism);
        assertThat(spec.getJob().getUpgradeMode()).isEqualTo(upgradeMode);
        assertThat(spec.getFlinkConfiguration())
                .containsEntry("high-availability.type", "kubernetes")
                .containsEntry("high-availability.storageDir", storage + "/ha")
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("state.backend.incremental", "true")
                .containsEntry("state.checkpoints.dir", storage + "/checkpoints")
                .containsEntry("state.savepoints.dir", storage + "/savepoints")
                .containsEntry(
                        "execution.checkpointing.externalized-checkpoint-retention",
                        "RETAIN_ON_CANCELLATION");
        assertThat(spec.getJobManager().getResource().getMemory()).isNotBlank();
        assertThat(spec.getTaskManager().getResource().getCpu()).isPositive();
    }

    /** A stateless upgrade would restart the job without state over its own results. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shipped")
    void neverUpgradesWithoutState(String name, ObjectNode manifest) {
        assertThat(parse(manifest).getSpec().getJob().getUpgradeMode())
                .isIn(UpgradeMode.LAST_STATE, UpgradeMode.SAVEPOINT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shipped")
    void exposesPrometheusMetricsOnANamedPort(String name, ObjectNode manifest) {
        FlinkDeploymentSpec spec = parse(manifest).getSpec();
        String port = spec.getFlinkConfiguration().get("metrics.reporter.prom.port");

        assertThat(spec.getFlinkConfiguration())
                .containsEntry(
                        "metrics.reporter.prom.factory.class",
                        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(mainContainer(spec).getPorts())
                .anySatisfy(
                        p -> {
                            assertThat(p.getName()).isEqualTo("metrics");
                            assertThat(p.getContainerPort()).hasToString(port);
                        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shipped")
    void podsRunAsTheFlinkUserWithoutPrivileges(String name, ObjectNode manifest) {
        FlinkDeploymentSpec spec = parse(manifest).getSpec();
        PodSecurityContext pod = spec.getPodTemplate().getSpec().getSecurityContext();
        Container main = mainContainer(spec);

        assertThat(pod.getRunAsNonRoot()).isTrue();
        assertThat(pod.getRunAsUser()).isEqualTo(9999L);
        assertThat(main.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(main.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shipped")
    void credentialsComeFromTheSecretAndCheckpointIntervalsAgree(String name, ObjectNode manifest) {
        FlinkDeploymentSpec spec = parse(manifest).getSpec();
        List<EnvVar> env = mainContainer(spec).getEnv();

        for (String secret :
                List.of("PG_USER", "PG_PASSWORD", "KAFKA_USERNAME", "KAFKA_PASSWORD")) {
            EnvVar variable = variable(env, secret);
            assertThat(variable.getValue()).as(secret).isNull();
            assertThat(variable.getValueFrom().getSecretKeyRef().getName()).as(secret).isNotBlank();
        }
        assertThat(variable(env, "KAFKA_BOOTSTRAP_SERVERS").getValue()).isNotBlank();
        assertThat(variable(env, "PG_HOST").getValue()).isNotBlank();
        // The job sets the interval in code; the operator's health check reads the config key.
        String seconds = variable(env, "CHECKPOINT_INTERVAL").getValue().replace("s", "");
        assertThat(spec.getFlinkConfiguration().get("execution.checkpointing.interval"))
                .isEqualTo(seconds + " s");
    }

    @Test
    void schemaRejectsMisspeltFieldsAndUnknownFlinkVersions() {
        ObjectNode manifest =
                Manifests.single(
                        Manifests.parse(project.k8s().resolve("flinkdeployment.yaml")),
                        "FlinkDeployment");
        ObjectNode misspelt = manifest.deepCopy();
        ((ObjectNode) misspelt.at("/spec/job")).put("upgradMode", "last-state");
        ObjectNode tooNew = manifest.deepCopy();
        ((ObjectNode) tooNew.at("/spec")).put("flinkVersion", "v1_21");
        ObjectNode wrongType = manifest.deepCopy();
        ((ObjectNode) wrongType.at("/spec/job")).put("parallelism", "two");

        assertThat(schema.validate(misspelt)).singleElement().asString().contains("upgradMode");
        assertThat(schema.validate(tooNew)).singleElement().asString().contains("flinkVersion");
        assertThat(schema.validate(wrongType)).singleElement().asString().contains("parallelism");
    }

    @Test
    void k8sManifestIsWhatTheChartRendersWithItsDefaults() {
        FlinkDeploymentSpec chart = parse(chart(project, ChartValues.DEFAULTS)).getSpec();
        FlinkDeploymentSpec k8s =
                parse(
                                Manifests.single(
                                        Manifests.parse(
                                                project.k8s().resolve("flinkdeployment.yaml")),
                                        "FlinkDeployment"))
                        .getSpec();

        assertThat(k8s.getFlinkConfiguration()).isEqualTo(chart.getFlinkConfiguration());
        assertThat(k8s.getJob()).isEqualTo(chart.getJob());
        assertThat(k8s.getJobManager()).isEqualTo(chart.getJobManager());
        assertThat(k8s.getTaskManager()).isEqualTo(chart.getTaskManager());
        assertThat(k8s.getImage()).isEqualTo(chart.getImage());
        assertThat(k8s.getServiceAccount()).isEqualTo(chart.getServiceAccount());
        assertThat(k8s.getPodTemplate().getSpec().getSecurityContext())
                .isEqualTo(chart.getPodTemplate().getSpec().getSecurityContext());
        assertThat(k8s.getPodTemplate().getSpec().getVolumes())
                .isEqualTo(chart.getPodTemplate().getSpec().getVolumes());
        // Deliberate differences: no migration hook (the job migrates) and the dev PostgreSQL
        // without TLS; everything else in the environment is the same.
        List<EnvVar> k8sEnv = new ArrayList<>(mainContainer(k8s).getEnv());
        List<EnvVar> chartEnv = new ArrayList<>(mainContainer(chart).getEnv());
        assertThat(variable(k8sEnv, "PG_MIGRATE").getValue()).isEqualTo("true");
        assertThat(variable(chartEnv, "PG_MIGRATE").getValue()).isEqualTo("false");
        assertThat(variable(k8sEnv, "PG_SSLMODE").getValue()).isEqualTo("disable");
        k8sEnv.removeIf(e -> e.getName().equals("PG_MIGRATE") || e.getName().equals("PG_SSLMODE"));
        chartEnv.removeIf(
                e -> e.getName().equals("PG_MIGRATE") || e.getName().equals("PG_SSLMODE"));
        assertThat(k8sEnv).containsExactlyInAnyOrderElementsOf(chartEnv);
    }

    private static FlinkDeployment parse(JsonNode manifest) {
        return Manifests.KUBERNETES.unmarshal(manifest.toString(), FlinkDeployment.class);
    }

    private static Container mainContainer(FlinkDeploymentSpec spec) {
        List<Container> containers =
                new ArrayList<>(spec.getPodTemplate().getSpec().getContainers());
        return containers.stream()
                .filter(c -> c.getName().equals("flink-main-container"))
                .findFirst()
                .orElseThrow();
    }

    private static EnvVar variable(List<EnvVar> env, String name) {
        return env.stream()
                .filter(e -> e.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("No " + name));
    }
}
