package com.streampulse.autoscaler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.config.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AutoscalerConfigTest {

    static Map<String, String> env(String... pairs) {
        Map<String, String> map = new HashMap<>();
        map.put("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");
        map.put("POD_NAMESPACE", "streampulse");
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    @Test
    void defaults() {
        AutoscalerConfig c = AutoscalerConfig.from(env("POD_NAME", "autoscaler-0"));
        assertThat(c.topic()).isEqualTo("content-downloads");
        assertThat(c.groupId()).isEqualTo("streampulse-processor");
        assertThat(c.namespace()).isEqualTo("streampulse");
        assertThat(c.interval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.defaults().minParallelism()).isEqualTo(1);
        assertThat(c.defaults().maxParallelism()).isEqualTo(8);
        assertThat(c.defaults().catchUp()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.defaults().targetUtilisation()).isEqualTo(0.7);
        assertThat(c.defaults().scaleUpStabilisation()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.defaults().scaleDownStabilisation()).isEqualTo(Duration.ofSeconds(600));
        assertThat(c.defaults().cooldown()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.mode()).isEqualTo(Mode.JOB_PARALLELISM);
        assertThat(c.dryRun()).isFalse();
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.podName()).isEqualTo("autoscaler-0");
        assertThat(c.leaseName()).isEqualTo("streampulse-autoscaler");
        assertThat(c.kafka().securityProtocol()).isEqualTo("PLAINTEXT");
    }

    @Test
    void overridesAreParsed() {
        AutoscalerConfig c =
                AutoscalerConfig.from(
                        env(
                                "WATCH_NAMESPACE", "jobs",
                                "AUTOSCALER_INTERVAL", "5s",
                                "AUTOSCALER_COOLDOWN", "2m",
                                "AUTOSCALER_MODE", "in-place",
                                "AUTOSCALER_DRY_RUN", "true",
                                "AUTOSCALER_MAX_PARALLELISM", "24"));
        assertThat(c.namespace()).isEqualTo("jobs");
        assertThat(c.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.defaults().cooldown()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.mode()).isEqualTo(Mode.IN_PLACE);
        assertThat(c.dryRun()).isTrue();
        assertThat(c.defaults().maxParallelism()).isEqualTo(24);
    }

    @Test
    void aUsernameMeansSaslSslWithScramAndThePasswordIsMasked() {
        AutoscalerConfig c =
                AutoscalerConfig.from(env("KAFKA_USERNAME", "alice", "KAFKA_PASSWORD", "s3cret"));
        assertThat(c.kafka().securityProtocol()).isEqualTo("SASL_SSL");
        assertThat(c.kafka().saslMechanism()).isEqualTo("SCRAM-SHA-256");
        assertThat(c.kafka().clientProperties().getProperty("sasl.jaas.config"))
                .contains("username=\"alice\" password=\"s3cret\"");
        assertThat(c.describe()).contains("user=alice password=******").doesNotContain("s3cret");
    }

    @Test
    void errorsNameTheVariable() {
        assertThatThrownBy(() -> AutoscalerConfig.from(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("KAFKA_BOOTSTRAP_SERVERS is required (or --kafka-bootstrap-servers)");
        assertThatThrownBy(() -> AutoscalerConfig.from(env("AUTOSCALER_TARGET_UTILISATION", "1.5")))
                .hasMessage(
                        "AUTOSCALER_TARGET_UTILISATION must be above 0.0 and at most 1.0, got 1.5");
        assertThatThrownBy(() -> AutoscalerConfig.from(env("AUTOSCALER_INTERVAL", "soon")))
                .hasMessage(
                        "AUTOSCALER_INTERVAL must be a duration such as 500ms, 10s, 5m or 1h, got"
                                + " 'soon'");
        assertThatThrownBy(() -> AutoscalerConfig.from(env("AUTOSCALER_MODE", "hpa")))
                .hasMessage("AUTOSCALER_MODE must be job-parallelism or in-place, got 'hpa'");
        assertThatThrownBy(
                        () ->
                                AutoscalerConfig.from(
                                        env(
                                                "AUTOSCALER_MIN_PARALLELISM", "4",
                                                "AUTOSCALER_MAX_PARALLELISM", "2")))
                .hasMessage(
                        "AUTOSCALER_MAX_PARALLELISM (2) must not be below"
                                + " AUTOSCALER_MIN_PARALLELISM (4)");
        assertThatThrownBy(() -> AutoscalerConfig.from(env("KAFKA_USERNAME", "alice")))
                .hasMessage("KAFKA_PASSWORD is required when KAFKA_USERNAME is set");
        assertThatThrownBy(() -> AutoscalerConfig.from(env("AUTOSCALER_DRY_RUN", "maybe")))
                .hasMessage("AUTOSCALER_DRY_RUN must be true or false, got 'maybe'");
    }
}
