package com.streampulse.autoscaler.kube;

import com.streampulse.autoscaler.Annotations;
import com.streampulse.autoscaler.config.AutoscalerConfig;
import com.streampulse.autoscaler.decide.Policy;
import com.streampulse.config.ConfigException;
import com.streampulse.config.Settings;
import java.time.Duration;
import java.util.Map;

/**
 * What to watch and how to decide for one deployment: the controller's defaults overridden by the
 * deployment's annotations.
 */
public record Target(String topic, String groupId, Policy policy) {

    /** Throws {@link ConfigException} naming the annotation when an override is malformed. */
    public static Target resolve(AutoscalerConfig config, Map<String, String> annotations) {
        Settings env = Settings.of(annotations == null ? Map.of() : annotations);
        Policy d = config.defaults();
        int min = env.integer(Annotations.MIN_PARALLELISM, d.minParallelism(), 1, 10_000);
        int max = env.integer(Annotations.MAX_PARALLELISM, d.maxParallelism(), 1, 10_000);
        if (max < min) {
            throw new ConfigException(
                    Annotations.MAX_PARALLELISM + " (" + max + ") is below the minimum " + min);
        }
        int catchUp =
                env.integer(Annotations.CATCH_UP_SECONDS, (int) d.catchUp().toSeconds(), 1, 86_400);
        double utilisation =
                env.fraction(Annotations.TARGET_UTILISATION, d.targetUtilisation(), 0, 1);
        Policy policy =
                new Policy(
                        min,
                        max,
                        Duration.ofSeconds(catchUp),
                        utilisation,
                        d.scaleUpStabilisation(),
                        d.scaleDownStabilisation(),
                        d.cooldown(),
                        d.lagNearZero(),
                        d.expectedRestart());
        return new Target(
                env.string(Annotations.TOPIC, config.topic()),
                env.string(Annotations.CONSUMER_GROUP, config.groupId()),
                policy);
    }
}
