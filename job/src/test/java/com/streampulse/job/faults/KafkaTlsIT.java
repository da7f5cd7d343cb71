package com.streampulse.job.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.config.KafkaSettings;
import com.streampulse.config.Settings;
import com.streampulse.testkit.EmbeddedKafka;
import com.streampulse.testkit.SelfSignedCertificate;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka over SASL_SSL with the brokers' CA in a truststore file, as the chart mounts it from
 * kafka.tls.caSecret: the clients the job, the autoscaler and the generator build from {@link
 * KafkaSettings} verify the broker with that CA, and refuse a broker whose certificate another CA
 * signed, without a word of the password.
 */
class KafkaTlsIT {

    private static final String USER = "streampulse-job";
    private static final String PASSWORD = "kafka-tls-S3cret-4e1d";
    private static final String TOPIC = "content-downloads";

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.startWithScramOverTls(USER, PASSWORD);
        kafka.createTopic(TOPIC, 2);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static KafkaSettings settings(Path ca) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("KAFKA_USERNAME", USER);
        env.put("KAFKA_PASSWORD", PASSWORD);
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", ca.toString());
        return KafkaSettings.from(Settings.of(env));
    }

    private static Admin admin(KafkaSettings settings) {
        Properties props = settings.clientProperties();
        props.put("default.api.timeout.ms", "20000");
        props.put("request.timeout.ms", "10000");
        return Admin.create(props);
    }

    @Test
    void theBrokersCaFromTheTruststoreConnects() throws Exception {
        KafkaSettings settings = settings(kafka.tlsCertificate());
        assertThat(settings.describe())
                .contains("security=SASL_SSL")
                .contains("truststore=" + kafka.tlsCertificate())
                .doesNotContain(PASSWORD);
        try (Admin admin = admin(settings)) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(TOPIC);
        }
    }

    @Test
    void anotherCaIsRefused() {
        Path otherCa = SelfSignedCertificate.create("localhost").resolve("server.crt");
        try (Admin admin = admin(settings(otherCa))) {
            assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SslAuthenticationException.class)
                    .satisfies(e -> assertThat(e.toString()).doesNotContain(PASSWORD));
        }
    }
}
