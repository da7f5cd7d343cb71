package com.streampulse.job.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.config.ConfigException;
import com.streampulse.config.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertSenderConfigTest {

    private static Map<String, String> env(String url) {
        Map<String, String> env = new HashMap<>();
        env.put("PG_HOST", "pg");
        env.put("PG_USER", "u");
        env.put("PG_PASSWORD", "p");
        if (url != null) {
            env.put("ALERTMANAGER_URL", url);
        }
        return env;
    }

    @Test
    void deliveryIsOffWithoutAnAlertmanagerUrl() {
        assertThat(AlertSenderConfig.from(Settings.of(env(null)))).isNull();
        assertThat(AlertSenderConfig.from(Settings.of(env(" ")))).isNull();
    }

    @Test
    void oneUrlTurnsItOnWithTheDefaults() {
        AlertSenderConfig config = AlertSenderConfig.from(Settings.of(env("http://am:9093/")));

        assertThat(config.alertmanagerUrl()).hasToString("http://am:9093");
        assertThat(config.postgres().host()).isEqualTo("pg");
        assertThat(config.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.maxBackoff()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.runbookBaseUrl()).isEqualTo("docs/runbooks");
    }

    @Test
    void aUrlThatIsNotHttpStopsTheStartWithOneLineNamingTheSetting() {
        assertThatThrownBy(() -> AlertSenderConfig.from(Settings.of(env("am:9093"))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("ALERTMANAGER_URL must start with http:// or https://, got 'am:9093'");
    }

    @Test
    void credentialsInTheUrlAreMaskedInLogs() {
        AlertSenderConfig config =
                AlertSenderConfig.from(Settings.of(env("https://ops:s3cret@am.example:9093")));

        assertThat(config.alertmanagerForLogs()).isEqualTo("https://******@am.example:9093");
    }
}
