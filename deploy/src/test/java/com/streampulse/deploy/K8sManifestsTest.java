package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The plain manifests in k8s/: typed fabric8 models, complete kustomizations, non-root pods. */
class K8sManifestsTest {

    private static Project project;

    @BeforeAll
    static void load() {
        project = Project.fromBuild();
    }

    static Stream<Path> manifestFiles() {
        return Manifests.yamlFiles(Project.fromBuild().k8s()).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifestFiles")
    void everyDocumentParsesIntoATypedModel(Path file) throws Exception {
        List<ObjectNode> documents = Manifests.parse(file);
        assertThat(documents).isNotEmpty();

        for (ObjectNode document : documents) {
            String kind = document.path("kind").asText();
            HasMetadata parsed =
                    kind.equals("FlinkDeployment")
                            ? Manifests.KUBERNETES.unmarshal(
                                    document.toString(), FlinkDeployment.class)
                            : Manifests.KUBERNETES.unmarshal(document.toString());
            assertThat(parsed).as(kind).isNotInstanceOf(GenericKubernetesResource.class);
            assertThat(parsed.getKind()).isEqualTo(kind);
            assertThat(parsed.getMetadata().getName()).isNotBlank();
            if (!kind.equals("Namespace")) {
                assertThat(parsed.getMetadata().getNamespace()).as(kind).isEqualTo("streampulse");
            }
        }
    }

    @Test
    void kustomizationsApplyEveryManifestButTheSecretExampleAndTheGeneratorJob() {
        assertThat(resources(project.k8s()))
                .containsExactlyInAnyOrder(
                        "namespace.yaml",
                        "flink-data-pvc.yaml",
                        "flinkdeployment.yaml",
                        "autoscaler/serviceaccount.yaml",
                        "autoscaler/role.yaml",
                        "autoscaler/rolebinding.yaml",
                        "autoscaler/deployment.yaml",
                        "autoscaler/service.yaml");
        assertThat(resources(project.k8s().resolve("dev")))
                .containsExactlyInAnyOrder("kafka.yaml", "postgres.yaml");
        List<String> all = new ArrayList<>();
        for (Path file : Manifests.yamlFiles(project.k8s())) {
            all.add(project.k8s().relativize(file).toString());
        }
        assertThat(all)
                .containsExactlyInAnyOrder(
                        "namespace.yaml",
                        "flink-data-pvc.yaml",
                        "flinkdeployment.yaml",
                        "autoscaler/serviceaccount.yaml",
                        "autoscaler/role.yaml",
                        "autoscaler/rolebinding.yaml",
                        "autoscaler/deployment.yaml",
                        "autoscaler/service.yaml",
                        "secret.example.yaml",
                        "dev/kafka.yaml",
                        "dev/postgres.yaml",
                        "dev/generator-job.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifestFiles")
    void everyPodRunsNonRootWithoutPrivilegeEscalation(Path file) {
        for (ObjectNode document : Manifests.parse(file)) {
            JsonNode spec = document.path("spec");
            JsonNode podSpec =
                    spec.has("podTemplate")
                            ? spec.path("podTemplate").path("spec")
                            : spec.path("template").path("spec");
            if (podSpec.isMissingNode()) {
                continue;
            }
            assertThat(podSpec.at("/securityContext/runAsNonRoot").asBoolean())
                    .as(Manifests.name(document))
                    .isTrue();
            assertThat(podSpec.at("/securityContext/runAsUser").asLong()).isPositive();
            for (JsonNode container : Manifests.containers(document)) {
                assertThat(
                                container
                                        .at("/securityContext/allowPrivilegeEscalation")
                                        .asBoolean(true))
                        .as(container.path("name").asText())
                        .isFalse();
            }
        }
    }

    private static List<String> resources(Path dir) {
        JsonNode kustomization =
                Manifests.parse(readUnchecked(dir.resolve("kustomization.yaml"))).get(0);
        List<String> resources = new ArrayList<>();
        kustomization.path("resources").forEach(r -> resources.add(r.asText()));
        return resources;
    }

    private static String readUnchecked(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
