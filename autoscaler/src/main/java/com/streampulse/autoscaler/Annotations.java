package com.streampulse.autoscaler;

/** The annotations on a FlinkDeployment that the autoscaler reads and writes. */
public final class Annotations {

    public static final String PREFIX = "streampulse.io/autoscaler";

    /** Opt-in: the value must be {@link #ENABLED_VALUE}. */
    public static final String ENABLED = PREFIX;

    public static final String ENABLED_VALUE = "enabled";

    public static final String MIN_PARALLELISM = PREFIX + "-min-parallelism";
    public static final String MAX_PARALLELISM = PREFIX + "-max-parallelism";
    public static final String CONSUMER_GROUP = PREFIX + "-consumer-group";
    public static final String TOPIC = PREFIX + "-topic";
    public static final String CATCH_UP_SECONDS = PREFIX + "-catch-up-seconds";
    public static final String TARGET_UTILISATION = PREFIX + "-target-utilisation";

    /**
     * In-place mode: the JobManager's REST address, if not {@code http://<name>-rest.<ns>:8081}.
     */
    public static final String JOBMANAGER_URL = PREFIX + "-jobmanager-url";

    /**
     * Written by the controller: the capacity per instance and the rescale downtime it learned,
     * read back by the next leader after a failover ({@code capacity=812.5/s restart=PT48S}).
     */
    public static final String LEARNED = PREFIX + "-learned";

    /** Written by the controller: kind, from->to, reason and time of the latest decision. */
    public static final String LAST_DECISION = PREFIX + "-last-decision";

    private Annotations() {}
}
