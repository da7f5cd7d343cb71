package com.streampulse.autoscaler.config;

import com.streampulse.autoscaler.decide.Policy;
import com.streampulse.config.ConfigException;
import com.streampulse.config.KafkaSettings;
import com.streampulse.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The controller's configuration, built from the environment (see docs/autoscaler.md for the
 * table). Every field is typed and defaulted; a bad value stops the start with one line naming the
 * variable.
 *
 * @param kafka how to reach the broker
 * @param topic the job's input topic (KAFKA_TOPIC), overridable per deployment
 * @param groupId the job's consumer group (KAFKA_GROUP_ID), overridable per deployment
 * @param namespace where the FlinkDeployments and the Lease live (WATCH_NAMESPACE)
 * @param interval how often offsets are read and decisions made (AUTOSCALER_INTERVAL)
 * @param rateWindow span of the sliding window rates are measured over (AUTOSCALER_RATE_WINDOW);
 *     several checkpoint intervals, because offsets are committed only on checkpoints
 * @param defaults the policy for deployments that do not override it
 * @param mode job-parallelism or in-place (AUTOSCALER_MODE)
 * @param dryRun decide and report only (AUTOSCALER_DRY_RUN)
 * @param httpPort /healthz, /readyz and /metrics (HTTP_PORT)
 * @param podName this instance's identity in the Lease (POD_NAME)
 * @param leaseName the Lease's name (LEASE_NAME)
 */
public record AutoscalerConfig(
        KafkaSettings kafka,
        String topic,
        String groupId,
        String namespace,
        Duration interval,
        Duration rateWindow,
        Policy defaults,
        Mode mode,
        boolean dryRun,
        int httpPort,
        String podName,
        String leaseName) {

    static final Path SERVICE_ACCOUNT_NAMESPACE =
            Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    public static AutoscalerConfig fromEnvironment(String[] args) {
        return from(Settings.fromEnvironment(args));
    }

    public static AutoscalerConfig from(Map<String, String> variables) {
        return from(Settings.of(variables));
    }

    private static AutoscalerConfig from(Settings env) {
        int min = env.integer("AUTOSCALER_MIN_PARALLELISM", 1, 1, 10_000);
        int max = env.integer("AUTOSCALER_MAX_PARALLELISM", 8, 1, 10_000);
        if (max < min) {
            throw new ConfigException(
                    "AUTOSCALER_MAX_PARALLELISM ("
                            + max
                            + ") must not be below AUTOSCALER_MIN_PARALLELISM ("
                            + min
                            + ")");
        }
        Policy defaults =
                new Policy(
                        min,
                        max,
                        env.duration(
                                "AUTOSCALER_CATCH_UP",
                                Duration.ofSeconds(300),
                                Duration.ofMillis(1)),
                        env.fraction("AUTOSCALER_TARGET_UTILISATION", 0.7, 0, 1),
                        env.duration(
                                "AUTOSCALER_SCALE_UP_STABILISATION",
                                Duration.ofSeconds(60),
                                Duration.ZERO),
                        env.duration(
                                "AUTOSCALER_SCALE_DOWN_STABILISATION",
                                Duration.ofSeconds(600),
                                Duration.ZERO),
                        env.duration("AUTOSCALER_COOLDOWN", Duration.ofSeconds(300), Duration.ZERO),
                        env.duration(
                                "AUTOSCALER_LAG_NEAR_ZERO",
                                Policy.DEFAULT_LAG_NEAR_ZERO,
                                Duration.ofMillis(1)),
                        env.duration(
                                "AUTOSCALER_EXPECTED_RESTART",
                                Policy.DEFAULT_EXPECTED_RESTART,
                                Duration.ZERO));
        Duration interval =
                env.duration("AUTOSCALER_INTERVAL", Duration.ofSeconds(15), Duration.ofMillis(1));
        Duration rateWindow =
                env.duration(
                        "AUTOSCALER_RATE_WINDOW", Duration.ofSeconds(150), Duration.ofMillis(1));
        if (rateWindow.compareTo(interval.multipliedBy(2)) < 0) {
            throw new ConfigException(
                    "AUTOSCALER_RATE_WINDOW must be at least twice AUTOSCALER_INTERVAL, got "
                            + rateWindow.toSeconds()
                            + "s");
        }
        KafkaSettings kafka = KafkaSettings.from(env);
        return new AutoscalerConfig(
                kafka,
                kafka.topic(),
                kafka.groupId(),
                env.string("WATCH_NAMESPACE", podNamespace(env)),
                interval,
                rateWindow,
                defaults,
                Mode.parse("AUTOSCALER_MODE", env.string("AUTOSCALER_MODE", "job-parallelism")),
                env.bool("AUTOSCALER_DRY_RUN", false),
                env.integer("HTTP_PORT", 8080, 0, 65_535),
                env.string("POD_NAME", env.string("HOSTNAME", "autoscaler-" + UUID.randomUUID())),
                env.string("LEASE_NAME", "streampulse-autoscaler"));
    }

    /** The pod's own namespace: POD_NAMESPACE from the downward API, else the service account's. */
    private static String podNamespace(Settings env) {
        if (env.isSet("POD_NAMESPACE")) {
            return env.string("POD_NAMESPACE", "default");
        }
        try {
            if (Files.isReadable(SERVICE_ACCOUNT_NAMESPACE)) {
                return Files.readString(SERVICE_ACCOUNT_NAMESPACE).trim();
            }
        } catch (IOException e) {
            // fall through to the default
        }
        return "default";
    }

    /** One line per setting for the start log; the password shows masked. */
    public String describe() {
        return String.join(
                "\n  ",
                "Autoscaler configuration:",
                "kafka=" + kafka.describe(),
                "topic=" + topic + " group=" + groupId,
                "namespace=" + namespace + " lease=" + leaseName + " identity=" + podName,
                "interval=" + interval.toSeconds() + "s rateWindow=" + rateWindow.toSeconds() + "s",
                "parallelism=" + defaults.minParallelism() + ".." + defaults.maxParallelism(),
                "catchUp="
                        + defaults.catchUp().toSeconds()
                        + "s targetUtilisation="
                        + defaults.targetUtilisation()
                        + " lagNearZero="
                        + defaults.lagNearZero().toSeconds()
                        + "s",
                "stabilisation up="
                        + defaults.scaleUpStabilisation().toSeconds()
                        + "s down="
                        + defaults.scaleDownStabilisation().toSeconds()
                        + "s cooldown="
                        + defaults.cooldown().toSeconds()
                        + "s expectedRestart="
                        + defaults.expectedRestart().toSeconds()
                        + "s",
                "mode=" + mode.value() + " dryRun=" + dryRun + " httpPort=" + httpPort);
    }
}
