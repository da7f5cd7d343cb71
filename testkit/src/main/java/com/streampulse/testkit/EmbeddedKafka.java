package com.streampulse.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A real single-node Kafka cluster (KRaft, broker and controller combined) running in this JVM.
 * Starts in about two seconds; used by the tests and by {@code make run}.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    /** The clients' listener's certificate (PEM) when it speaks TLS; else null. */
    private Path tlsCertificate;

    /** A plaintext listener for setting up a broker whose clients must authenticate; else null. */
    private final String adminBootstrap;

    /** Where clients connect when that is not the broker's own listener (a proxy); else null. */
    private final String clientBootstrap;

    private EmbeddedKafka(
            KafkaClusterTestKit cluster, String adminBootstrap, String clientBootstrap) {
        this.cluster = cluster;
        this.adminBootstrap = adminBootstrap;
        this.clientBootstrap = clientBootstrap;
    }

    /** Starts a broker with its log directories under a fresh temporary directory. */
    public static EmbeddedKafka start() {
        return start(Map.of());
    }

    /**
     * Starts a broker whose clients must authenticate with SASL SCRAM-SHA-256 as {@code user}
     * (security protocol SASL_PLAINTEXT on {@link #bootstrapServers()}). Topics are created over a
     * second, plaintext listener that only the test kit uses: no SCRAM user exists before it
     * creates one.
     */
    public static EmbeddedKafka startWithScram(String user, String password) {
        return startWithScram(user, password, "SASL_PLAINTEXT", Map.of(), null);
    }

    /**
     * Like {@link #startWithScram}, with the clients' listener speaking SASL_SSL: its certificate,
     * self-signed for {@code localhost} and 127.0.0.1, is {@link #tlsCertificate()} (PEM), the CA a
     * client must trust.
     */
    public static EmbeddedKafka startWithScramOverTls(String user, String password) {
        Path dir = SelfSignedCertificate.create("localhost");
        Map<String, String> ssl =
                Map.of(
                        "ssl.keystore.location",
                        dir.resolve("server.p12").toString(),
                        "ssl.keystore.type",
                        "PKCS12",
                        "ssl.keystore.password",
                        SelfSignedCertificate.STORE_PASSWORD_TEXT,
                        "ssl.key.password",
                        SelfSignedCertificate.STORE_PASSWORD_TEXT);
        return startWithScram(user, password, "SASL_SSL", ssl, dir.resolve("server.crt"));
    }

    private static EmbeddedKafka startWithScram(
            String user,
            String password,
            String protocol,
            Map<String, String> extra,
            Path certificate) {
        int adminPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            adminPort = socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("No free port for the admin listener", e);
        }
        Map<String, String> broker = new HashMap<>();
        broker.put(
                "listeners",
                "EXTERNAL://localhost:0,CONTROLLER://localhost:0,ADMIN://localhost:" + adminPort);
        broker.put(
                "listener.security.protocol.map",
                "EXTERNAL:" + protocol + ",CONTROLLER:PLAINTEXT,ADMIN:PLAINTEXT");
        broker.putAll(extra);
        broker.put("inter.broker.listener.name", "ADMIN");
        broker.put("sasl.enabled.mechanisms", "SCRAM-SHA-256");
        broker.put(
                "listener.name.external.scram-sha-256.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        EmbeddedKafka kafka = start(broker, "localhost:" + adminPort);
        kafka.tlsCertificate = certificate;
        try (Admin admin = Admin.create(kafka.adminProperties())) {
            admin.alterUserScramCredentials(
                            List.of(
                                    new UserScramCredentialUpsertion(
                                            user,
                                            new ScramCredentialInfo(
                                                    ScramMechanism.SCRAM_SHA_256, 4096),
                                            password)))
                    .all()
                    .get();
        } catch (ExecutionException e) {
            kafka.close();
            throw new IllegalStateException("Could not create the SCRAM user", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kafka.close();
            throw new IllegalStateException("Interrupted creating the SCRAM user", e);
        }
        return kafka;
    }

    /**
     * Starts a broker that clients reach through a proxy: it listens on 127.0.0.1:{@code
     * brokerPort} and advertises 127.0.0.1:{@code proxyPort} (a {@link TcpProxy} to {@code
     * brokerPort}), so a client that bootstraps there is sent back to the proxy for every request,
     * not straight to the broker. {@link #bootstrapServers()} is the proxy. The test kit's own
     * calls ({@link #adminProperties()}: topics, test producers) use a second, direct listener,
     * which is also the one the broker uses for itself, so a fault on the proxy hits only the
     * clients under test.
     */
    public static EmbeddedKafka startBehindProxy(int brokerPort, int proxyPort) {
        int directPort = TcpProxy.freePort();
        Map<String, String> broker = new HashMap<>();
        broker.put(
                "listeners",
                "EXTERNAL://127.0.0.1:"
                        + brokerPort
                        + ",CONTROLLER://127.0.0.1:0,DIRECT://127.0.0.1:"
                        + directPort);
        broker.put(
                "advertised.listeners",
                "EXTERNAL://127.0.0.1:" + proxyPort + ",DIRECT://127.0.0.1:" + directPort);
        broker.put(
                "listener.security.protocol.map",
                "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,DIRECT:PLAINTEXT");
        broker.put("inter.broker.listener.name", "DIRECT");
        return start(broker, "127.0.0.1:" + directPort, "127.0.0.1:" + proxyPort);
    }

    /**
     * Starts a broker with extra broker settings (for example SASL listeners).
     *
     * <p>A single broker cannot replicate the internal topics three times: without the settings
     * below every consumer-group commit and transaction waits for replicas that never come.
     */
    public static EmbeddedKafka start(Map<String, String> brokerConfig) {
        return start(brokerConfig, null, null);
    }

    private static EmbeddedKafka start(Map<String, String> brokerConfig, String adminBootstrap) {
        return start(brokerConfig, adminBootstrap, null);
    }

    private static EmbeddedKafka start(
            Map<String, String> brokerConfig, String adminBootstrap, String clientBootstrap) {
        try {
            TestKitNodes nodes =
                    new TestKitNodes.Builder()
                            .setCombined(true)
                            .setNumBrokerNodes(1)
                            .setNumControllerNodes(1)
                            .build();
            KafkaClusterTestKit.Builder builder =
                    new KafkaClusterTestKit.Builder(nodes)
                            .setConfigProp("offsets.topic.replication.factor", "1")
                            .setConfigProp("offsets.topic.num.partitions", "1")
                            .setConfigProp("transaction.state.log.replication.factor", "1")
                            .setConfigProp("transaction.state.log.min.isr", "1")
                            .setConfigProp("group.initial.rebalance.delay.ms", "0")
                            .setConfigProp("auto.create.topics.enable", "false");
            brokerConfig.forEach(builder::setConfigProp);
            KafkaClusterTestKit cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafka(cluster, adminBootstrap, clientBootstrap);
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the embedded Kafka broker", e);
        }
    }

    /** The certificate of the clients' TLS listener, which is also its CA; null without TLS. */
    public Path tlsCertificate() {
        return tlsCertificate;
    }

    public String bootstrapServers() {
        return clientBootstrap == null ? cluster.bootstrapServers() : clientBootstrap;
    }

    /** Client properties that reach this broker. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** Where the test kit itself connects: the clients' listener, or the plaintext admin one. */
    public Properties adminProperties() {
        if (adminBootstrap == null) {
            return clientProperties();
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, adminBootstrap);
        return props;
    }

    /**
     * Creates a topic unless it exists, and waits until the broker leads every partition; returns
     * false when it existed already.
     */
    public boolean createTopic(String name, int partitions) {
        return createTopic(name, partitions, Map.of());
    }

    /** The same with topic configurations, e.g. {@code message.timestamp.type}. */
    public boolean createTopic(String name, int partitions, Map<String, String> configs) {
        try (Admin admin = Admin.create(adminProperties())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all()
                    .get();
            awaitLeaders(adminProperties(), name, partitions);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new IllegalStateException("Could not create topic " + name, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        }
    }

    /**
     * Waits until the broker leads every partition of {@code topic}. Sending into a topic whose
     * leadership the broker has not taken up yet can wedge an idempotent producer
     * (NOT_LEADER_OR_FOLLOWER, then OUT_OF_ORDER_SEQUENCE_NUMBER until the delivery timeout);
     * asking the leaders for end offsets waits for exactly that.
     */
    public static void awaitLeaders(Properties clientProperties, String topic, int partitions) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            all.add(new TopicPartition(topic, p));
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            while (true) {
                try {
                    consumer.endOffsets(all, Duration.ofSeconds(5));
                    return;
                } catch (KafkaException e) {
                    if (Instant.now().isAfter(deadline)) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted waiting for leaders of " + topic, e);
        }
    }

    /** The directory the broker keeps its logs in (for tests that look at disk usage). */
    public List<Path> logDirectories() {
        return cluster.nodes().brokerNodes().values().stream()
                .flatMap(node -> node.logDataDirectories().stream())
                .map(Path::of)
                .toList();
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("Could not stop the embedded Kafka broker", e);
        }
    }
}
