package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** No credential is ever written into a manifest: they travel only through a Secret. */
class SecretsTest {

    private static final List<String> SECRET_VALUES =
            List.of(
                    ChartValues.PG_PASSWORD,
                    ChartValues.PG_USER,
                    ChartValues.KAFKA_USERNAME,
                    ChartValues.KAFKA_PASSWORD);

    /** Variables that carry a credential and must come from a secretKeyRef. */
    private static final Pattern CREDENTIAL = Pattern.compile(".*(PASSWORD|USER|USERNAME)$");

    private static Project project;

    @BeforeAll
    static void load() {
        project = Project.fromBuild();
    }

    @Test
    void chartCreatedSecretIsTheOnlyPlaceTheValuesLandAndOnlyEncoded() {
        List<ObjectNode> documents =
                Manifests.parse(Charts.template(project, ChartValues.NON_DEFAULT));

        for (ObjectNode document : documents) {
            String text = document.toString();
            for (String value : SECRET_VALUES) {
                assertThat(text).as(document.path("kind").asText()).doesNotContain(value);
                if (!document.path("kind").asText().equals("Secret")) {
                    assertThat(text).doesNotContain(base64(value));
                }
            }
        }
        JsonNode secret = Manifests.single(documents, "Secret");
        assertThat(secret.at("/data/pg-password").asText())
                .isEqualTo(base64(ChartValues.PG_PASSWORD));
        assertThat(secret.at("/data/kafka-password").asText())
                .isEqualTo(base64(ChartValues.KAFKA_PASSWORD));
        assertThat(secret.has("stringData")).isFalse();
    }

    @Test
    void withAnExistingSecretPassedValuesAreIgnoredEntirely() {
        Map<String, String> values = new HashMap<>();
        values.put("credentials.create.pgPassword", ChartValues.PG_PASSWORD);
        values.put("credentials.create.kafkaPassword", ChartValues.KAFKA_PASSWORD);

        String rendered = Charts.template(project, values);

        assertThat(rendered)
                .doesNotContain(ChartValues.PG_PASSWORD)
                .doesNotContain(base64(ChartValues.PG_PASSWORD))
                .doesNotContain(ChartValues.KAFKA_PASSWORD)
                .doesNotContain(base64(ChartValues.KAFKA_PASSWORD));
        assertThat(Manifests.ofKind(Manifests.parse(rendered), "Secret")).isEmpty();
    }

    @Test
    void everyCredentialVariableIsASecretKeyRefInTheChartAndInK8s() {
        List<ObjectNode> documents = new ArrayList<>();
        documents.addAll(Manifests.parse(Charts.template(project, ChartValues.DEFAULTS)));
        documents.addAll(Manifests.parse(Charts.template(project, ChartValues.NON_DEFAULT)));
        Manifests.yamlFiles(project.k8s()).forEach(f -> documents.addAll(Manifests.parse(f)));

        int checked = 0;
        for (ObjectNode document : documents) {
            for (JsonNode container : Manifests.containers(document)) {
                for (JsonNode variable : container.path("env")) {
                    String name = variable.path("name").asText();
                    if (CREDENTIAL.matcher(name).matches()) {
                        assertThat(variable.has("value")).as(name).isFalse();
                        assertThat(variable.at("/valueFrom/secretKeyRef/key").asText())
                                .as(name)
                                .isNotBlank();
                        checked++;
                    }
                }
            }
        }
        // Chart defaults: job 4 + migration 2 + autoscaler 2; non-default: job 4;
        // k8s/: job 4 + autoscaler 2 + dev PostgreSQL 2 + generator 2.
        assertThat(checked).isEqualTo(22);
    }

    @Test
    void secretExampleHoldsPlaceholdersOnly() {
        JsonNode secret =
                Manifests.single(
                        Manifests.parse(project.k8s().resolve("secret.example.yaml")), "Secret");

        assertThat(secret.path("stringData").size()).isEqualTo(4);
        secret.path("stringData").forEach(v -> assertThat(v.asText()).matches("<[a-z-]+>"));
        assertThat(secret.has("data")).isFalse();
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
