package com.streampulse.autoscaler.config;

import java.util.Locale;
import java.util.Properties;

/**
 * How to reach Kafka, with the job's meaning of the variables: PLAINTEXT by default, SASL_SSL with
 * SCRAM-SHA-256 when a username is set (what Upstash needs). A copy of the job's rules rather than
 * a dependency on the job jar, which would put Flink connectors into the controller's image.
 */
public record KafkaConnection(
        String bootstrapServers,
        String username,
        Secret password,
        String securityProtocol,
        String saslMechanism) {

    static KafkaConnection from(Env env) {
        String username = env.string("KAFKA_USERNAME", null);
        Secret password = env.secret("KAFKA_PASSWORD");
        if (username != null && !password.isPresent()) {
            throw new ConfigException("KAFKA_PASSWORD is required when KAFKA_USERNAME is set");
        }
        String protocol =
                env.string("KAFKA_SECURITY_PROTOCOL", username == null ? "PLAINTEXT" : "SASL_SSL")
                        .toUpperCase(Locale.ROOT);
        if (!protocol.matches("PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL")) {
            throw new ConfigException(
                    "KAFKA_SECURITY_PROTOCOL must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL,"
                            + " got '"
                            + protocol
                            + "'");
        }
        String mechanism =
                env.string("KAFKA_SASL_MECHANISM", "SCRAM-SHA-256").toUpperCase(Locale.ROOT);
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
        return new KafkaConnection(
                env.required("KAFKA_BOOTSTRAP_SERVERS"), username, password, protocol, mechanism);
    }

    public boolean usesSasl() {
        return securityProtocol.startsWith("SASL");
    }

    /** Connection and security properties for the Admin client. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.setProperty("bootstrap.servers", bootstrapServers);
        props.setProperty("security.protocol", securityProtocol);
        props.setProperty("client.id", "streampulse-autoscaler");
        if (usesSasl()) {
            props.setProperty("sasl.mechanism", saslMechanism);
            String module =
                    saslMechanism.equals("PLAIN")
                            ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                            : "org.apache.kafka.common.security.scram.ScramLoginModule";
            props.setProperty(
                    "sasl.jaas.config",
                    module
                            + " required username=\""
                            + escape(username)
                            + "\" password=\""
                            + escape(password.value())
                            + "\";");
        }
        return props;
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return bootstrapServers
                + " security="
                + securityProtocol
                + (usesSasl()
                        ? " sasl=" + saslMechanism + " user=" + username + " password=" + password
                        : "");
    }
}
