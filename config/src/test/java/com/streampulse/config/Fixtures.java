package com.streampulse.config;

import java.util.HashMap;
import java.util.Map;

/** The smallest environment Kafka settings build from, and a way to add to it. */
final class Fixtures {

    static final String KAFKA_SECRET = "kafka-pa55-\"q\"-\\";

    private Fixtures() {}

    /** {@code pairs} are name, value, ...; a null value removes the variable. */
    static Settings with(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", "kafka-0:9092,kafka-1:9092");
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
