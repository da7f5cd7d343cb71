package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.streampulse.config.Settings;
import com.streampulse.job.config.JobConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The environment every shipped FlinkDeployment gives the job is accepted by the job's own
 * configuration parser (JobConfig), with a stand-in for the Secret: a malformed duration or an
 * unknown TLS mode fails here, not in a JobManager's first log line.
 */
class JobEnvironmentTest {

    private static final Project PROJECT = Project.fromBuild();
    private static final String STAND_IN_CA = "-----BEGIN CERTIFICATE-----\nstand-in\n";
    private static final String STAND_IN_KAFKA_CA = "-----BEGIN CERTIFICATE-----\nkafka\n";

    @Test
    void chartDefaultsGiveAValidConfiguration() {
        JobConfig config = parse(chart(ChartValues.DEFAULTS), Map.of());

        assertThat(config.kafka().bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(config.kafka().securityProtocol()).isEqualTo("PLAINTEXT");
        assertThat(config.kafka().topic()).isEqualTo("content-downloads");
        assertThat(config.postgres().migrate()).isFalse();
        assertThat(config.postgres().sslMode()).isEqualTo("prefer");
        assertThat(config.checkpointInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.allowStatelessStart()).as("the stateless start guard is on").isFalse();
    }

    @Test
    void chartNonDefaultsGiveAValidSaslConfiguration() {
        JobConfig config =
                parse(
                        chart(ChartValues.NON_DEFAULT),
                        Map.of("kafka-username", "user", "kafka-password", "pass"));

        assertThat(config.kafka().securityProtocol()).isEqualTo("SASL_SSL");
        assertThat(config.kafka().saslMechanism()).isEqualTo("SCRAM-SHA-512");
        assertThat(config.postgres().migrate()).isTrue();
        assertThat(config.postgres().sslMode()).isEqualTo("verify-full");
        // The CA from postgres.tls.caSecret, where the pod mounts it.
        assertThat(Path.of(config.postgres().sslRootCert())).hasContent(STAND_IN_CA);
        assertThat(config.postgres().jdbcUrl()).contains("&sslrootcert=");
        // The brokers' CA from kafka.tls.caSecret, as every Kafka client's truststore.
        Properties kafka = config.kafka().clientProperties();
        assertThat(Path.of(kafka.getProperty("ssl.truststore.location")))
                .hasContent(STAND_IN_KAFKA_CA);
        assertThat(kafka.getProperty("ssl.truststore.type")).isEqualTo("PEM");
        assertThat(config.windowSize()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.checkpointInterval()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void k8sManifestGivesAValidConfiguration() {
        ObjectNode flink =
                Manifests.single(
                        Manifests.parse(PROJECT.k8s().resolve("flinkdeployment.yaml")),
                        "FlinkDeployment");

        JobConfig config = parse(flink, Map.of());

        assertThat(config.postgres().migrate()).isTrue();
        assertThat(config.postgres().host()).isEqualTo("postgres");
        assertThat(config.checkpointInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.allowStatelessStart()).as("the stateless start guard is on").isFalse();
    }

    private static ObjectNode chart(Map<String, String> values) {
        return Manifests.single(
                Manifests.parse(Charts.template(PROJECT, values)), "FlinkDeployment");
    }

    /**
     * The job's configuration from the main container's env; secretKeyRefs read {@code secret} plus
     * a PostgreSQL user and password; optional keys missing from it stay unset, as in Kubernetes.
     */
    private static JobConfig parse(JsonNode flinkDeployment, Map<String, String> secret) {
        Map<String, String> data = new HashMap<>(secret);
        data.putIfAbsent("pg-user", "streampulse");
        data.putIfAbsent("pg-password", "secret");
        Map<String, String> env = new HashMap<>();
        JsonNode container = flinkDeployment.at("/spec/podTemplate/spec/containers/0");
        PodFiles files =
                PodFiles.of(
                        flinkDeployment.at("/spec/podTemplate/spec"),
                        container,
                        Map.of(
                                ChartValues.POSTGRES_CA_SECRET,
                                Map.of("ca.crt", STAND_IN_CA),
                                ChartValues.KAFKA_CA_SECRET,
                                Map.of("ca.crt", STAND_IN_KAFKA_CA)));
        for (JsonNode variable : container.path("env")) {
            String name = variable.path("name").asText();
            if (variable.has("value")) {
                env.put(name, files.resolve(variable.path("value").asText()));
            } else {
                String value = data.get(variable.at("/valueFrom/secretKeyRef/key").asText());
                if (value != null) {
                    env.put(name, value);
                }
            }
        }
        return JobConfig.from(Settings.of(env, new String[0]));
    }
}
