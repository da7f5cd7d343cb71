package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every built-in kind the chart (with each value set these tests use) and k8s/ render validates,
 * strictly, against the Kubernetes {@value KubernetesSchema#KUBERNETES_VERSION} API schema ({@link
 * KubernetesSchema}): a misspelt field the API server would silently drop fails here. The
 * FlinkDeployments are checked against the operator's CRD by FlinkDeploymentTest.
 */
class KubernetesSchemaTest {

    private static KubernetesSchema schema;
    private static Map<String, List<ObjectNode>> sources;

    @BeforeAll
    static void load() {
        schema = KubernetesSchema.load();
        Project project = Project.fromBuild();
        sources = new LinkedHashMap<>();
        Map<String, Map<String, String>> valueSets = new LinkedHashMap<>();
        valueSets.put("chart defaults", ChartValues.DEFAULTS);
        valueSets.put("chart non-default", ChartValues.NON_DEFAULT);
        valueSets.put("chart in-place autoscaler", ChartValues.IN_PLACE_AUTOSCALER);
        Map<String, String> tls = new HashMap<>();
        tls.put("postgres.sslMode", "verify-full");
        tls.put("postgres.tls.caSecret", "pg-ca");
        tls.put("kafka.securityProtocol", "SSL");
        tls.put("kafka.tls.caSecret", "kafka-ca");
        valueSets.put("chart with both CAs", tls);
        valueSets.forEach(
                (name, values) ->
                        sources.put(name, Manifests.parse(Charts.template(project, values))));
        for (Path file : Manifests.yamlFiles(project.k8s())) {
            sources.put(project.root().relativize(file).toString(), Manifests.parse(file));
        }
    }

    @Test
    void everyBuiltInKindValidatesStrictly() {
        Set<String> kinds = new TreeSet<>();
        List<String> violations = new ArrayList<>();
        sources.forEach(
                (source, documents) -> {
                    for (ObjectNode document : documents) {
                        String kind = document.path("kind").asText();
                        if (kind.equals("FlinkDeployment") || kind.equals("Kustomization")) {
                            continue;
                        }
                        kinds.add(kind);
                        schema.validate(document)
                                .forEach(
                                        v ->
                                                violations.add(
                                                        source
                                                                + " "
                                                                + kind
                                                                + "/"
                                                                + Manifests.name(document)
                                                                + " "
                                                                + v));
                    }
                });
        assertThat(violations).isEmpty();
        // Not vacuous: everything the chart and k8s/ ship besides the custom resource.
        assertThat(kinds)
                .contains(
                        "Deployment",
                        "StatefulSet",
                        "Job",
                        "Pod",
                        "Service",
                        "ServiceAccount",
                        "Role",
                        "RoleBinding",
                        "PersistentVolumeClaim",
                        "Secret",
                        "Namespace",
                        "NetworkPolicy",
                        "ValidatingAdmissionPolicy",
                        "ValidatingAdmissionPolicyBinding");
    }

    @Test
    void theValidatorRefusesMisspeltFieldsWrongTypesAndUnknownKinds() throws Exception {
        ObjectNode deployment =
                Manifests.single(
                        Manifests.parse(Charts.template(Project.fromBuild(), ChartValues.DEFAULTS)),
                        "Deployment");
        assertThat(schema.validate(deployment)).isEmpty();

        ObjectNode misspelt = deployment.deepCopy();
        ((ObjectNode) misspelt.at("/spec/template/spec/containers/0"))
                .put("imagePullPolcy", "Always");
        assertThat(schema.validate(misspelt)).anyMatch(v -> v.contains("imagePullPolcy"));

        ObjectNode wrongType = deployment.deepCopy();
        ((ObjectNode) wrongType.get("spec")).put("replicas", "two");
        assertThat(schema.validate(wrongType)).anyMatch(v -> v.contains("replicas"));

        ObjectNode quantity = deployment.deepCopy();
        ((ObjectNode) quantity.at("/spec/template/spec/containers/0/resources/limits"))
                .put("memory", 512);
        assertThat(schema.validate(quantity)).as("a number is a quantity").isEmpty();

        ObjectNode unknownVersion = deployment.deepCopy().put("apiVersion", "apps/v1beta9");
        assertThat(schema.validate(unknownVersion))
                .containsExactly("no Kubernetes 1.30 schema for apps/v1beta9 Deployment");
    }
}
