package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.streampulse.autoscaler.ApiPermissions;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The autoscaler's Role, in the chart and in k8s/, grants exactly the API calls its code makes
 * ({@link ApiPermissions#USED}): nothing missing, nothing more.
 */
class RbacTest {

    /** One grant: API group, resource, verb. */
    record Grant(String apiGroup, String resource, String verb) {}

    private static Project project;
    private static List<ObjectNode> chart;
    private static List<ObjectNode> k8s;

    @BeforeAll
    static void load() {
        project = Project.fromBuild();
        chart = Manifests.parse(Charts.template(project, ChartValues.DEFAULTS));
        k8s =
                Manifests.yamlFiles(project.k8s()).stream()
                        .flatMap(f -> Manifests.parse(f).stream())
                        .toList();
    }

    @Test
    void chartRoleGrantsExactlyWhatTheAutoscalerUses() {
        assertThat(grants(Manifests.single(chart, "Role"))).isEqualTo(used());
    }

    @Test
    void k8sRoleGrantsExactlyWhatTheAutoscalerUses() {
        assertThat(grants(Manifests.single(k8s, "Role"))).isEqualTo(used());
    }

    @Test
    void contractIsNotEmptyAndCoversTheLease() {
        assertThat(used())
                .contains(
                        new Grant("coordination.k8s.io", "leases", "patch"),
                        new Grant("flink.apache.org", "flinkdeployments", "patch"));
    }

    /**
     * Every verb that names one object is limited to the one the autoscaler needs: its Lease and
     * the release's FlinkDeployment; list and create (which RBAC cannot narrow by name) are not.
     */
    @Test
    void namedVerbsAreLimitedToTheLeaseAndTheReleasesFlinkDeployment() {
        JsonNode deployment = Manifests.single(chart, "Deployment");
        String leaseName = env(deployment, "LEASE_NAME");
        String flinkDeployment = Manifests.name(Manifests.single(chart, "FlinkDeployment"));
        assertThat(names(Manifests.single(chart, "Role")))
                .isEqualTo(
                        Map.of(
                                new Grant("flink.apache.org", "flinkdeployments", "get"),
                                        List.of(flinkDeployment),
                                new Grant("flink.apache.org", "flinkdeployments", "patch"),
                                        List.of(flinkDeployment),
                                new Grant("coordination.k8s.io", "leases", "get"),
                                        List.of(leaseName),
                                new Grant("coordination.k8s.io", "leases", "patch"),
                                        List.of(leaseName)));

        JsonNode k8sDeployment = Manifests.single(k8s, "Deployment");
        String k8sFlink = Manifests.name(Manifests.single(k8s, "FlinkDeployment"));
        assertThat(names(Manifests.single(k8s, "Role")))
                .containsEntry(
                        new Grant("flink.apache.org", "flinkdeployments", "patch"),
                        List.of(k8sFlink))
                .containsEntry(
                        new Grant("coordination.k8s.io", "leases", "patch"),
                        List.of(env(k8sDeployment, "LEASE_NAME")))
                .hasSize(4);
    }

    private static String env(JsonNode deployment, String name) {
        for (JsonNode variable : deployment.at("/spec/template/spec/containers/0/env")) {
            if (name.equals(variable.path("name").asText())) {
                return variable.path("value").asText();
            }
        }
        throw new AssertionError("No " + name);
    }

    /** The resourceNames each (group, resource, verb) is limited to; unlimited ones left out. */
    private static Map<Grant, List<String>> names(JsonNode roleManifest) {
        Role role = Manifests.KUBERNETES.unmarshal(roleManifest.toString(), Role.class);
        Map<Grant, List<String>> names = new HashMap<>();
        for (PolicyRule rule : role.getRules()) {
            if (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()) {
                continue;
            }
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        names.put(new Grant(group, resource, verb), rule.getResourceNames());
                    }
                }
            }
        }
        return names;
    }

    @Test
    void noClusterWidePermissions() {
        assertThat(Manifests.ofKind(chart, "ClusterRole")).isEmpty();
        assertThat(Manifests.ofKind(chart, "ClusterRoleBinding")).isEmpty();
        assertThat(Manifests.ofKind(k8s, "ClusterRole")).isEmpty();
        assertThat(Manifests.ofKind(k8s, "ClusterRoleBinding")).isEmpty();
    }

    @Test
    void roleIsBoundToTheServiceAccountTheAutoscalerRunsAs() {
        for (List<ObjectNode> documents : List.of(chart, k8s)) {
            JsonNode binding = Manifests.single(documents, "RoleBinding");
            JsonNode deployment = Manifests.single(documents, "Deployment");
            String serviceAccount =
                    deployment.at("/spec/template/spec/serviceAccountName").asText();

            assertThat(binding.at("/roleRef/name").asText())
                    .isEqualTo(Manifests.name(Manifests.single(documents, "Role")));
            assertThat(binding.at("/subjects/0/name").asText()).isEqualTo(serviceAccount);
            assertThat(Manifests.name(Manifests.single(documents, "ServiceAccount")))
                    .isEqualTo(serviceAccount);
        }
    }

    private static Set<Grant> used() {
        Set<Grant> grants = new HashSet<>();
        for (ApiPermissions.Permission p : ApiPermissions.USED) {
            p.verbs().forEach(v -> grants.add(new Grant(p.apiGroup(), p.resource(), v)));
        }
        return grants;
    }

    /** Every (group, resource, verb) a Role's rules allow, some only on the objects named. */
    private static Set<Grant> grants(JsonNode roleManifest) {
        Role role = Manifests.KUBERNETES.unmarshal(roleManifest.toString(), Role.class);
        Set<Grant> grants = new HashSet<>();
        for (PolicyRule rule : role.getRules()) {
            assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        grants.add(new Grant(group, resource, verb));
                    }
                }
            }
        }
        return grants;
    }
}
