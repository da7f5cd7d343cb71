package com.streampulse.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * How to reach Kafka: the original StreamPulse variables plus topic, group and security. Shared by
 * the job, the generator and the autoscaler's documentation, so every part connects alike.
 *
 * <p>With a username set the defaults are SASL_SSL and SCRAM-SHA-256, what Upstash needs; without
 * one, PLAINTEXT.
 *
 * <p>{@code truststore} (null: the JVM's default CAs) verifies brokers whose certificates a private
 * CA signed: KAFKA_SSL_TRUSTSTORE_LOCATION, _TYPE (PEM by default, as a CA file from a Kubernetes
 * Secret is) and _PASSWORD (for JKS and PKCS12 stores).
 */
public record KafkaSettings(
        String bootstrapServers,
        String topic,
        String groupId,
        String username,
        Secret password,
        String securityProtocol,
        String saslMechanism,
        Truststore truststore) {

    /** Where the CAs that sign the brokers' certificates are. */
    public record Truststore(String location, String type, Secret password) {}

    /** With the JVM's default CAs. */
    public KafkaSettings(
            String bootstrapServers,
            String topic,
            String groupId,
            String username,
            Secret password,
            String securityProtocol,
            String saslMechanism) {
        this(
                bootstrapServers,
                topic,
                groupId,
                username,
                password,
                securityProtocol,
                saslMechanism,
                null);
    }

    public static final String DEFAULT_TOPIC = "content-downloads";
    public static final String DEFAULT_GROUP_ID = "streampulse-processor";

    public static KafkaSettings from(Settings settings) {
        String username = settings.string("KAFKA_USERNAME", null);
        Secret password = settings.secret("KAFKA_PASSWORD");
        if (username != null && !password.isPresent()) {
            throw new ConfigException("KAFKA_PASSWORD is required when KAFKA_USERNAME is set");
        }
        String protocol =
                settings.string(
                                "KAFKA_SECURITY_PROTOCOL",
                                username == null ? "PLAINTEXT" : "SASL_SSL")
                        .toUpperCase(Locale.ROOT);
        if (!protocol.matches("PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL")) {
            throw new ConfigException(
                    "KAFKA_SECURITY_PROTOCOL must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL,"
                            + " got '"
                            + protocol
                            + "'");
        }
        String mechanism =
                settings.string("KAFKA_SASL_MECHANISM", "SCRAM-SHA-256").toUpperCase(Locale.ROOT);
        if (!mechanism.matches("PLAIN|SCRAM-SHA-256|SCRAM-SHA-512")) {
            throw new ConfigException(
                    "KAFKA_SASL_MECHANISM must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got '"
                            + mechanism
                            + "'");
        }
        if (protocol.startsWith("SASL") && username == null) {
            throw new ConfigException(
                    "KAFKA_USERNAME is required when KAFKA_SECURITY_PROTOCOL is " + protocol);
        }
        return new KafkaSettings(
                settings.required("KAFKA_BOOTSTRAP_SERVERS"),
                settings.string("KAFKA_TOPIC", DEFAULT_TOPIC),
                settings.string("KAFKA_GROUP_ID", DEFAULT_GROUP_ID),
                username,
                password,
                protocol,
                mechanism,
                truststore(settings, protocol));
    }

    private static Truststore truststore(Settings settings, String protocol) {
        String location = settings.string("KAFKA_SSL_TRUSTSTORE_LOCATION", null);
        if (location == null) {
            return null;
        }
        if (!protocol.endsWith("SSL")) {
            throw new ConfigException(
                    "KAFKA_SSL_TRUSTSTORE_LOCATION needs KAFKA_SECURITY_PROTOCOL SSL or SASL_SSL,"
                            + " got "
                            + protocol);
        }
        if (!Files.isReadable(Path.of(location))) {
            throw new ConfigException(
                    "KAFKA_SSL_TRUSTSTORE_LOCATION names no readable file: '" + location + "'");
        }
        String type = settings.string("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM").toUpperCase(Locale.ROOT);
        if (!type.matches("PEM|JKS|PKCS12")) {
            throw new ConfigException(
                    "KAFKA_SSL_TRUSTSTORE_TYPE must be PEM, JKS or PKCS12, got '" + type + "'");
        }
        return new Truststore(location, type, settings.secret("KAFKA_SSL_TRUSTSTORE_PASSWORD"));
    }

    public boolean usesSasl() {
        return securityProtocol.startsWith("SASL");
    }

    /** Connection and security properties for any Kafka client (consumer, producer, admin). */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.setProperty("bootstrap.servers", bootstrapServers);
        props.setProperty("security.protocol", securityProtocol);
        if (usesSasl()) {
            props.setProperty("sasl.mechanism", saslMechanism);
            props.setProperty("sasl.jaas.config", jaasConfig());
        }
        if (truststore != null) {
            props.setProperty("ssl.truststore.location", truststore.location());
            props.setProperty("ssl.truststore.type", truststore.type());
            if (truststore.password().isPresent()) {
                props.setProperty("ssl.truststore.password", truststore.password().value());
            }
        }
        return props;
    }

    private String jaasConfig() {
        String module =
                saslMechanism.equals("PLAIN")
                        ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                        : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module
                + " required username=\""
                + escape(username)
                + "\" password=\""
                + escape(password.value())
                + "\";";
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** For the start banner: everything but the password. */
    public String describe() {
        return bootstrapServers
                + " topic="
                + topic
                + " group="
                + groupId
                + " security="
                + securityProtocol
                + (usesSasl()
                        ? " sasl=" + saslMechanism + " user=" + username + " password=" + password
                        : "")
                + (truststore == null
                        ? ""
                        : " truststore=" + truststore.location() + " (" + truststore.type() + ")");
    }

    @Override
    public String toString() {
        return "KafkaSettings[" + describe() + "]";
    }
}
