package com.streampulse.deploy;

import java.util.Map;

/** The value sets the chart is rendered with in these tests. */
final class ChartValues {

    /** The chart's own values.yaml, unchanged. */
    static final Map<String, String> DEFAULTS = Map.of();

    static final String PG_PASSWORD = "s3cr3t-pg-pass";
    static final String PG_USER = "s3cr3t-pg-user";
    static final String KAFKA_USERNAME = "s3cr3t-kafka-user";
    static final String KAFKA_PASSWORD = "s3cr3t-kafka-pass";
    static final String POSTGRES_CA_SECRET = "postgres-ca";
    static final String KAFKA_CA_SECRET = "kafka-ca";

    /**
     * Everything switched the other way: the chart creates the Secret from values, no autoscaler,
     * no migration hook, no NetworkPolicy or test hook, object storage instead of a volume, other
     * sizes, a SASL broker and PostgreSQL verified with a CA.
     */
    static final Map<String, String> NON_DEFAULT =
            Map.ofEntries(
                    Map.entry("credentials.existingSecret", ""),
                    Map.entry("credentials.create.pgUser", PG_USER),
                    Map.entry("credentials.create.pgPassword", PG_PASSWORD),
                    Map.entry("credentials.create.kafkaUsername", KAFKA_USERNAME),
                    Map.entry("credentials.create.kafkaPassword", KAFKA_PASSWORD),
                    Map.entry("kafka.bootstrapServers", "broker-1.example.com:9093"),
                    Map.entry("kafka.securityProtocol", "SASL_SSL"),
                    Map.entry("kafka.saslMechanism", "SCRAM-SHA-512"),
                    Map.entry("kafka.tls.caSecret", KAFKA_CA_SECRET),
                    Map.entry("postgres.host", "pg.example.com"),
                    Map.entry("postgres.sslMode", "verify-full"),
                    Map.entry("postgres.tls.caSecret", POSTGRES_CA_SECRET),
                    Map.entry("migration.hook", "false"),
                    Map.entry("autoscaler.enabled", "false"),
                    Map.entry("networkPolicy.enabled", "false"),
                    Map.entry("tests.enabled", "false"),
                    Map.entry("job.parallelism", "6"),
                    Map.entry("job.upgradeMode", "savepoint"),
                    Map.entry("job.taskSlots", "3"),
                    Map.entry("job.jobManager.replicas", "2"),
                    Map.entry("job.taskManager.resource.memory", "4096m"),
                    Map.entry("job.taskManager.resource.cpu", "2"),
                    Map.entry("job.image.tag", "1.2.3"),
                    Map.entry("job.extraEnv.WINDOW_SIZE", "5m"),
                    Map.entry(
                            "job.extraEnv.ENABLE_BUILT_IN_PLUGINS",
                            "flink-s3-fs-presto-1.20.3.jar"),
                    Map.entry("job.initialSavepointPath", "s3://streampulse-state/old/chk-42"),
                    Map.entry("checkpoints.storageUri", "s3://streampulse-state/prod/"),
                    Map.entry("checkpoints.intervalSeconds", "60"),
                    Map.entry("checkpoints.persistentVolume.enabled", "false"),
                    Map.entry("checkpoints.periodicSavepointInterval", ""));

    /** The autoscaler in its other mode, with its own bounds. */
    static final Map<String, String> IN_PLACE_AUTOSCALER =
            Map.of(
                    "autoscaler.mode", "in-place",
                    "autoscaler.minParallelism", "2",
                    "autoscaler.maxParallelism", "12",
                    "autoscaler.dryRun", "true");

    private ChartValues() {}
}
