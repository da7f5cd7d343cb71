package com.streampulse.job.config;

import com.streampulse.config.Settings;
import java.util.HashMap;
import java.util.Map;

/** The smallest environment the job starts with, and a way to add to it. */
final class ConfigFixtures {

    static final String KAFKA_SECRET = "kafka-pa55-\"q\"-\\";
    static final String PG_SECRET = "pg-s3cret-value";

    private ConfigFixtures() {}

    static Map<String, String> minimalEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", "kafka-0:9092,kafka-1:9092");
        env.put("PG_HOST", "db.internal");
        env.put("PG_USER", "streampulse");
        return env;
    }

    static Settings settings(Map<String, String> env, String... args) {
        return Settings.of(env, args);
    }

    static Settings with(String... pairs) {
        Map<String, String> env = minimalEnv();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == null) {
                env.remove(pairs[i]);
            } else {
                env.put(pairs[i], pairs[i + 1]);
            }
        }
        return Settings.of(env, new String[0]);
    }
}
