package com.streampulse.autoscaler.config;

import com.streampulse.config.ConfigException;
import java.util.Locale;

/** How a new parallelism reaches the job. */
public enum Mode {
    /** Patch {@code spec.job.parallelism}: the operator upgrades the job (savepoint, restart). */
    JOB_PARALLELISM("job-parallelism"),
    /**
     * Write {@code pipeline.jobvertex-parallelism-overrides} for every vertex: on the adaptive
     * scheduler the operator rescales the running job without a full upgrade.
     */
    IN_PLACE("in-place");

    private final String value;

    Mode(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static Mode parse(String name, String text) {
        for (Mode mode : values()) {
            if (mode.value.equals(text.toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new ConfigException(
                name + " must be job-parallelism or in-place, got '" + text + "'");
    }
}
