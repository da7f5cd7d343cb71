package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.streampulse.autoscaler.config.AutoscalerConfig;
import com.streampulse.config.ConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The environment the chart and k8s/ give the autoscaler is accepted by its own configuration
 * parser ({@code AutoscalerConfig.from(Map)}), e.g. durations it can read and a rate window at
 * least twice the interval.
 */
class AutoscalerEnvironmentTest {

    static Stream<Arguments> shipped() {
        Project p = Project.fromBuild();
        return Stream.of(
                Arguments.of(
                        "chart defaults",
                        deployment(Charts.template(p, ChartValues.DEFAULTS)),
                        false),
                Arguments.of(
                        "chart in-place, dry run",
                        deployment(Charts.template(p, ChartValues.IN_PLACE_AUTOSCALER)),
                        true),
                Arguments.of(
                        "k8s/autoscaler/deployment.yaml",
                        Manifests.single(
                                Manifests.parse(p.k8s().resolve("autoscaler/deployment.yaml")),
                                "Deployment"),
                        false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shipped")
    void autoscalerAcceptsItsEnvironment(String name, ObjectNode deployment, boolean dryRun) {
        AutoscalerConfig parsed;
        try {
            parsed = AutoscalerConfig.from(environment(deployment));
        } catch (ConfigException e) {
            throw new AssertionError("Rejected: " + e.getMessage(), e);
        }

        assertThat(parsed.dryRun()).isEqualTo(dryRun);
        assertThat(parsed.namespace()).isEqualTo("streampulse");
        assertThat(parsed.podName()).isEqualTo("autoscaler-0");
        assertThat(parsed.topic()).isEqualTo("content-downloads");
    }

    private static ObjectNode deployment(String rendered) {
        return Manifests.single(Manifests.parse(rendered), "Deployment");
    }

    /** env values; the downward API and the (optional, empty here) Kafka credentials stood in. */
    private static Map<String, String> environment(JsonNode deployment) {
        Map<String, String> downward =
                Map.of("metadata.name", "autoscaler-0", "metadata.namespace", "streampulse");
        Map<String, String> env = new HashMap<>();
        List<JsonNode> containers = Manifests.containers(deployment);
        for (JsonNode variable : containers.get(0).path("env")) {
            String name = variable.path("name").asText();
            if (variable.has("value")) {
                env.put(name, variable.path("value").asText());
            } else if (variable.at("/valueFrom/fieldRef").isObject()) {
                env.put(name, downward.get(variable.at("/valueFrom/fieldRef/fieldPath").asText()));
            }
        }
        return env;
    }
}
