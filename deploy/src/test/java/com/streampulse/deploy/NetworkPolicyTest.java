package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's NetworkPolicy, evaluated as a NetworkPolicy-enforcing CNI would for the Flink pods:
 * REST port 8081 only from the operator's namespace and the release's own; and its `helm test` hook
 * Pod, whose script is run here against a stand-in for Flink's REST API.
 */
class NetworkPolicyTest {

    private static final String OPERATOR_NAMESPACE = "flink-operator";
    private static final int REST = 8081;
    private static final int METRICS = 9249;
    private static final int RPC = 6123;

    private static List<ObjectNode> rendered;
    private static NetworkPolicy policy;

    @BeforeAll
    static void render() {
        rendered = Manifests.parse(Charts.template(Project.fromBuild(), ChartValues.DEFAULTS));
        policy =
                Manifests.KUBERNETES.unmarshal(
                        Manifests.single(rendered, "NetworkPolicy").toString(),
                        NetworkPolicy.class);
    }

    /** A client pod: its namespace (and that namespace's name label) and its labels. */
    record Peer(String namespace, Map<String, String> labels) {}

    private static final Peer OPERATOR = new Peer(OPERATOR_NAMESPACE, Map.of("app", "op"));
    private static final Peer AUTOSCALER =
            new Peer(Charts.NAMESPACE, Map.of("app.kubernetes.io/name", "streampulse-autoscaler"));
    private static final Peer OTHER = new Peer("default", Map.of("app", "curious"));
    private static final Peer PROMETHEUS = new Peer("monitoring", Map.of("app", "prometheus"));

    @Test
    void selectsTheFlinkPods() {
        JsonNode podLabels =
                Manifests.single(rendered, "FlinkDeployment")
                        .at("/spec/podTemplate/metadata/labels");
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isNotEmpty()
                .allSatisfy((k, v) -> assertThat(podLabels.path(k).asText()).isEqualTo(v));
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
    }

    @Test
    void restIsReachableOnlyFromTheOperatorAndTheNamespace() {
        assertThat(allows(OPERATOR, REST)).isTrue();
        assertThat(allows(AUTOSCALER, REST)).isTrue();
        assertThat(allows(OTHER, REST)).isFalse();
        assertThat(allows(PROMETHEUS, REST)).isFalse();
    }

    @Test
    void flinksOwnTrafficStaysInTheNamespaceAndMetricsStayOpen() {
        assertThat(allows(AUTOSCALER, RPC)).isTrue();
        assertThat(allows(OPERATOR, RPC)).isFalse();
        assertThat(allows(OTHER, RPC)).isFalse();
        assertThat(allows(PROMETHEUS, METRICS)).isTrue();
    }

    @Test
    void canBeTurnedOff() {
        assertThat(
                        Manifests.ofKind(
                                Manifests.parse(
                                        Charts.template(
                                                Project.fromBuild(),
                                                Map.of("networkPolicy.enabled", "false"))),
                                "NetworkPolicy"))
                .isEmpty();
    }

    /** The test hook's own script: exit 0 once /jobs/overview shows a RUNNING job, else 1. */
    @Test
    void helmTestPassesOnlyWhenTheJobIsRunning() throws Exception {
        ObjectNode pod = Manifests.single(rendered, "Pod");
        assertThat(pod.at("/metadata/annotations").get(Charts.HOOK_ANNOTATION).asText())
                .isEqualTo("test");
        JsonNode container = pod.at("/spec/containers/0");
        assertThat(env(container, "FLINK_REST_URL"))
                .isEqualTo("http://streampulse-rest.streampulse:" + REST);

        String running =
                "{\"jobs\":[{\"jid\":\"3f2b\",\"name\":\"StreamPulse\",\"state\":\"RUNNING\"}]}";
        String failing =
                "{\"jobs\":[{\"jid\":\"3f2b\",\"name\":\"StreamPulse\",\"state\":\"RESTARTING\"}]}";
        assertThat(runScript(container, running)).isZero();
        assertThat(runScript(container, failing)).isEqualTo(1);
    }

    private static int runScript(JsonNode container, String overview)
            throws IOException, InterruptedException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/jobs/overview",
                exchange -> {
                    byte[] body = overview.getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                });
        server.start();
        try {
            List<String> command = new ArrayList<>();
            container.path("command").forEach(part -> command.add(part.asText()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment()
                    .put("FLINK_REST_URL", "http://127.0.0.1:" + server.getAddress().getPort());
            // Give up at once: the deadline only matters while the job is starting.
            builder.environment().put("TIMEOUT_SECONDS", "0");
            Process process = builder.start();
            process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("The test script did not finish");
            }
            return process.exitValue();
        } finally {
            server.stop(0);
        }
    }

    private static String env(JsonNode container, String name) {
        for (JsonNode variable : container.path("env")) {
            if (name.equals(variable.path("name").asText())) {
                return variable.path("value").asText();
            }
        }
        throw new AssertionError("No " + name);
    }

    /**
     * NetworkPolicy semantics for one selected pod: some rule admits both the peer and the port.
     */
    private static boolean allows(Peer peer, int port) {
        for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
            if (portMatches(rule.getPorts(), port) && peerMatches(rule.getFrom(), peer)) {
                return true;
            }
        }
        return false;
    }

    private static boolean portMatches(List<NetworkPolicyPort> ports, int port) {
        return ports == null
                || ports.isEmpty()
                || ports.stream().anyMatch(p -> p.getPort().getIntVal() == port);
    }

    private static boolean peerMatches(List<NetworkPolicyPeer> from, Peer peer) {
        if (from == null || from.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPeer candidate : from) {
            assertThat(candidate.getIpBlock()).isNull();
            boolean namespace =
                    candidate.getNamespaceSelector() == null
                            ? peer.namespace().equals(Charts.NAMESPACE)
                            : selects(
                                    candidate.getNamespaceSelector(),
                                    Map.of("kubernetes.io/metadata.name", peer.namespace()));
            boolean pod =
                    candidate.getPodSelector() == null
                            || selects(candidate.getPodSelector(), peer.labels());
            if (namespace && pod) {
                return true;
            }
        }
        return false;
    }

    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        assertThat(selector.getMatchExpressions()).isNullOrEmpty();
        Map<String, String> wanted =
                selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
        return wanted.entrySet().stream()
                .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
