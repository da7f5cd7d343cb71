package com.streampulse.job;

import com.streampulse.job.config.JobConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The start banner, in the spirit of the original processor's. Secrets are masked. */
final class Banner {

    private static final Logger LOG = LoggerFactory.getLogger(Banner.class);
    private static final String RULE = "=".repeat(56);

    private Banner() {}

    static void print(JobConfig config) {
        log("✅ Configuration validated");
        config.describe().forEach(line -> log("   " + line));
        log(RULE);
        log("🚀 StreamPulse Flink Processor");
        log(RULE);
        log("📍 Topic: " + config.kafka().topic());
        log(
                "📊 Window Size: "
                        + config.windowSize().toSeconds()
                        + " seconds (tumbling, event time)");
        log("🔐 Database: " + config.postgres().host() + "/" + config.postgres().database());
        log(RULE);
    }

    private static void log(String line) {
        System.out.println(line);
        LOG.info(line);
    }
}
