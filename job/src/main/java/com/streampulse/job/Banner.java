package com.streampulse.job;

import com.streampulse.job.config.JobConfig;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The start banner, in the spirit of the original processor's. Secrets are masked. */
public final class Banner {

    private static final Logger LOG = LoggerFactory.getLogger(Banner.class);
    private static final String RULE = "=".repeat(56);

    private Banner() {}

    static void print(JobConfig config) {
        for (String line : lines(config, "")) {
            System.out.println(line);
            LOG.info(line);
        }
    }

    /** The banner's lines; {@code where} follows the title, e.g. " (local MiniCluster)". */
    public static List<String> lines(JobConfig config, String where) {
        List<String> lines = new ArrayList<>();
        lines.add("✅ Configuration validated");
        config.describe().forEach(line -> lines.add("   " + line));
        lines.add(RULE);
        lines.add("🚀 StreamPulse Flink Processor" + where);
        lines.add(RULE);
        lines.add("📍 Topic: " + config.kafka().topic());
        lines.add(
                "📊 Window Size: "
                        + config.windowSize().toSeconds()
                        + " seconds (tumbling, event time)");
        lines.add("🔐 Database: " + config.postgres().host() + "/" + config.postgres().database());
        lines.add(RULE);
        return lines;
    }
}
