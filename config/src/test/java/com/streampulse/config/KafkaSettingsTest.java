package com.streampulse.config;

import static com.streampulse.config.Fixtures.KAFKA_SECRET;
import static com.streampulse.config.Fixtures.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSettingsTest {

    @Test
    void defaultsArePlaintextToTheOriginalTopicAndGroup() {
        KafkaSettings k = KafkaSettings.from(with());

        assertThat(k)
                .isEqualTo(
                        new KafkaSettings(
                                "kafka-0:9092,kafka-1:9092",
                                "content-downloads",
                                "streampulse-processor",
                                null,
                                new Secret(null),
                                "PLAINTEXT",
                                "SCRAM-SHA-256"));
        assertThat(k.usesSasl()).isFalse();
        Properties expected = new Properties();
        expected.setProperty("bootstrap.servers", "kafka-0:9092,kafka-1:9092");
        expected.setProperty("security.protocol", "PLAINTEXT");
        assertThat(k.clientProperties()).isEqualTo(expected);
    }

    @Test
    void bootstrapServersAreRequired() {
        assertThatThrownBy(() -> KafkaSettings.from(with("KAFKA_BOOTSTRAP_SERVERS", null)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("KAFKA_BOOTSTRAP_SERVERS is required (or --kafka-bootstrap-servers)");
    }

    @Test
    void aUsernameMeansSaslSslWithScramSha256AsUpstashNeeds() {
        KafkaSettings k =
                KafkaSettings.from(with("KAFKA_USERNAME", "alice", "KAFKA_PASSWORD", KAFKA_SECRET));

        assertThat(k.securityProtocol()).isEqualTo("SASL_SSL");
        assertThat(k.saslMechanism()).isEqualTo("SCRAM-SHA-256");
        Properties p = k.clientProperties();
        assertThat(p.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(p.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-256");
        // Quotes and backslashes in the password are escaped for the JAAS line.
        assertThat(p.getProperty("sasl.jaas.config"))
                .isEqualTo(
                        "org.apache.kafka.common.security.scram.ScramLoginModule required"
                                + " username=\"alice\" password=\"kafka-pa55-\\\"q\\\"-\\\\\";");
    }

    @Test
    void plainMechanismUsesThePlainLoginModule() {
        KafkaSettings k =
                KafkaSettings.from(
                        with(
                                "KAFKA_USERNAME", "alice",
                                "KAFKA_PASSWORD", "pw",
                                "KAFKA_SECURITY_PROTOCOL", "sasl_plaintext",
                                "KAFKA_SASL_MECHANISM", "plain"));

        assertThat(k.securityProtocol()).isEqualTo("SASL_PLAINTEXT");
        assertThat(k.clientProperties().getProperty("sasl.jaas.config"))
                .isEqualTo(
                        "org.apache.kafka.common.security.plain.PlainLoginModule required"
                                + " username=\"alice\" password=\"pw\";");
    }

    @Test
    void passwordIsRequiredWithAUsername() {
        assertThatThrownBy(() -> KafkaSettings.from(with("KAFKA_USERNAME", "alice")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("KAFKA_PASSWORD is required when KAFKA_USERNAME is set");
    }

    @Test
    void saslProtocolNeedsAUsername() {
        assertThatThrownBy(() -> KafkaSettings.from(with("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("KAFKA_USERNAME is required when KAFKA_SECURITY_PROTOCOL is SASL_SSL");
    }

    @Test
    void unknownProtocolAndMechanismNameTheirVariables() {
        assertThatThrownBy(() -> KafkaSettings.from(with("KAFKA_SECURITY_PROTOCOL", "tls")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "KAFKA_SECURITY_PROTOCOL must be PLAINTEXT, SSL, SASL_PLAINTEXT or"
                                + " SASL_SSL, got 'TLS'");
        assertThatThrownBy(() -> KafkaSettings.from(with("KAFKA_SASL_MECHANISM", "GSSAPI")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "KAFKA_SASL_MECHANISM must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got"
                                + " 'GSSAPI'");
    }

    @Test
    void sslWithoutSaslNeedsNoCredentials() {
        KafkaSettings k = KafkaSettings.from(with("KAFKA_SECURITY_PROTOCOL", "ssl"));

        assertThat(k.securityProtocol()).isEqualTo("SSL");
        assertThat(k.clientProperties()).doesNotContainKey("sasl.jaas.config");
    }

    @Test
    void describeAndToStringNeverShowThePassword() {
        KafkaSettings k =
                KafkaSettings.from(
                        with(
                                "KAFKA_USERNAME", "alice",
                                "KAFKA_PASSWORD", KAFKA_SECRET,
                                "KAFKA_TOPIC", "downloads-v2",
                                "KAFKA_GROUP_ID", "sp-test"));

        assertThat(k.describe())
                .isEqualTo(
                        "kafka-0:9092,kafka-1:9092 topic=downloads-v2 group=sp-test"
                                + " security=SASL_SSL sasl=SCRAM-SHA-256 user=alice"
                                + " password=******");
        assertThat(k.toString()).isEqualTo("KafkaSettings[" + k.describe() + "]");
        assertThat(k.toString()).doesNotContain("pa55");
    }

    @Test
    void aTruststoreReachesEveryClientAndItsPasswordNoLog(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");
        KafkaSettings k =
                KafkaSettings.from(
                        with(
                                "KAFKA_SECURITY_PROTOCOL",
                                "SSL",
                                "KAFKA_SSL_TRUSTSTORE_LOCATION",
                                ca.toString(),
                                "KAFKA_SSL_TRUSTSTORE_PASSWORD",
                                KAFKA_SECRET));

        Properties props = k.clientProperties();
        assertThat(props.getProperty("ssl.truststore.location")).isEqualTo(ca.toString());
        assertThat(props.getProperty("ssl.truststore.type")).isEqualTo("PEM");
        assertThat(props.getProperty("ssl.truststore.password")).isEqualTo(KAFKA_SECRET);
        assertThat(k.describe())
                .contains("truststore=" + ca + " (PEM)")
                .doesNotContain(KAFKA_SECRET);
        assertThat(k.toString()).doesNotContain(KAFKA_SECRET);
    }

    @Test
    void aTruststoreNeedsTlsAReadableFileAndAKnownType(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.crt"), "x");
        assertThatThrownBy(
                        () ->
                                KafkaSettings.from(
                                        with("KAFKA_SSL_TRUSTSTORE_LOCATION", ca.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "KAFKA_SSL_TRUSTSTORE_LOCATION needs KAFKA_SECURITY_PROTOCOL SSL or"
                                + " SASL_SSL, got PLAINTEXT");
        assertThatThrownBy(
                        () ->
                                KafkaSettings.from(
                                        with(
                                                "KAFKA_SECURITY_PROTOCOL", "SSL",
                                                "KAFKA_SSL_TRUSTSTORE_LOCATION",
                                                        "/nonexistent/ca")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "KAFKA_SSL_TRUSTSTORE_LOCATION names no readable file: '/nonexistent/ca'");
        assertThatThrownBy(
                        () ->
                                KafkaSettings.from(
                                        with(
                                                "KAFKA_SECURITY_PROTOCOL", "SSL",
                                                "KAFKA_SSL_TRUSTSTORE_LOCATION", ca.toString(),
                                                "KAFKA_SSL_TRUSTSTORE_TYPE", "p7b")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("KAFKA_SSL_TRUSTSTORE_TYPE must be PEM, JKS or PKCS12, got 'P7B'");
    }
}
