package com.streampulse.autoscaler.kube;

import com.streampulse.autoscaler.Annotations;
import com.streampulse.autoscaler.decide.DeploymentView;
import com.streampulse.autoscaler.decide.Learned;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;

/**
 * One FlinkDeployment as the controller sees it: the typed model for spec and metadata, and the
 * status fields read as the operator stored them. {@code status.lifecycleState} is read raw because
 * the model's getter recomputes it from the reconciliation status instead of returning it.
 */
public record Deployment(FlinkDeployment resource, String lifecycleState, String jobState) {

    /** In-place mode writes this Flink option; its largest value is the running parallelism. */
    public static final String VERTEX_OVERRIDES = "pipeline.jobvertex-parallelism-overrides";

    private static final Pattern RESCALED_AT =
            Pattern.compile("^scale-(?:up|down) \\d+->\\d+: .* at (\\S+)$");
    private static final Pattern LAST_RESCALE = Pattern.compile("; last rescale (\\S+)$");

    public String namespace() {
        return resource.getMetadata().getNamespace();
    }

    public String name() {
        return resource.getMetadata().getName();
    }

    public String key() {
        return namespace() + "/" + name();
    }

    public Map<String, String> annotations() {
        Map<String, String> a = resource.getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    public boolean optedIn() {
        return Annotations.ENABLED_VALUE.equals(annotations().get(Annotations.ENABLED));
    }

    public boolean stableAndRunning() {
        return "STABLE".equals(lifecycleState) && "RUNNING".equals(jobState);
    }

    /**
     * spec.job.upgradeMode is stateless (also the operator's default when it is unset): every
     * restart the operator makes, a rescale included, starts the job without its state.
     */
    public boolean upgradesWithoutState() {
        if (resource.getSpec() == null || resource.getSpec().getJob() == null) {
            return false;
        }
        UpgradeMode mode = resource.getSpec().getJob().getUpgradeMode();
        return mode == null || mode == UpgradeMode.STATELESS;
    }

    public String jobId() {
        var status = resource.getStatus();
        return status == null || status.getJobStatus() == null
                ? null
                : status.getJobStatus().getJobId();
    }

    /** The JobManager's REST address: the annotation, else the operator's REST service. */
    public String jobManagerUrl() {
        return annotations()
                .getOrDefault(
                        Annotations.JOBMANAGER_URL,
                        JobManagerClient.defaultUrl(namespace(), name()));
    }

    /** spec.job.parallelism, or the highest vertex override when in-place mode has set them. */
    public int parallelism() {
        int parallelism =
                resource.getSpec() != null && resource.getSpec().getJob() != null
                        ? resource.getSpec().getJob().getParallelism()
                        : 0;
        Map<String, String> conf =
                resource.getSpec() == null ? null : resource.getSpec().getFlinkConfiguration();
        String overrides = conf == null ? null : conf.get(VERTEX_OVERRIDES);
        if (overrides != null && !overrides.isBlank()) {
            int highest = 0;
            for (String entry : overrides.split(",")) {
                int colon = entry.lastIndexOf(':');
                if (colon > 0) {
                    try {
                        highest =
                                Math.max(
                                        highest,
                                        Integer.parseInt(entry.substring(colon + 1).trim()));
                    } catch (NumberFormatException e) {
                        // a malformed entry was not written by us; ignore it
                    }
                }
            }
            if (highest > 0) {
                return highest;
            }
        }
        return Math.max(1, parallelism);
    }

    /** What an earlier controller learned of this deployment, from the annotation. */
    public Learned learned() {
        return Learned.parse(annotations().get(Annotations.LEARNED));
    }

    /** When a controller instance last changed the parallelism, read from the annotation. */
    public Instant lastRescale() {
        String last = annotations().get(Annotations.LAST_DECISION);
        if (last == null) {
            return null;
        }
        Matcher m = LAST_RESCALE.matcher(last);
        if (!m.find()) {
            m = RESCALED_AT.matcher(last);
            if (!m.matches()) {
                return null;
            }
        }
        try {
            return Instant.parse(m.group(1));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    public DeploymentView view() {
        return new DeploymentView(
                stableAndRunning(),
                "lifecycle " + lifecycleState + ", job " + jobState,
                parallelism(),
                lastRescale());
    }
}
