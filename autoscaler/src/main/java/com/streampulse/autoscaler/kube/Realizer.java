package com.streampulse.autoscaler.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.streampulse.autoscaler.Annotations;
import com.streampulse.autoscaler.config.Mode;
import com.streampulse.autoscaler.decide.Decider;
import com.streampulse.autoscaler.decide.Decision;
import com.streampulse.autoscaler.decide.Learned;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a decision real: one JSON merge patch (verb: patch) that sets the decision annotation and,
 * when scaling, the one field the mode owns, so nothing else in the resource is touched; then one
 * Event (verb: create). In dry-run mode it only logs.
 */
public final class Realizer {

    private static final Logger LOG = LoggerFactory.getLogger(Realizer.class);
    static final String COMPONENT = "streampulse-autoscaler";

    private final KubernetesClient client;
    private final Mode mode;
    private final boolean dryRun;
    private final JobManagerClient jobManager;
    private final Retry retry;
    private final String identity;
    private final ObjectMapper json = new ObjectMapper();

    public Realizer(
            KubernetesClient client,
            Mode mode,
            boolean dryRun,
            JobManagerClient jobManager,
            Retry retry,
            String identity) {
        this.client = client;
        this.mode = mode;
        this.dryRun = dryRun;
        this.jobManager = jobManager;
        this.retry = retry;
        this.identity = identity;
    }

    /** Writes the decision (and the new parallelism when it changes one). */
    public void apply(Deployment deployment, Decision decision) {
        if (dryRun) {
            LOG.info("[dry-run] {}: {}", deployment.key(), decision.summary());
            return;
        }
        ObjectNode patch = json.createObjectNode();
        ObjectNode metadata = patch.putObject("metadata");
        // A precondition: the API server refuses the patch (409) if anyone changed the resource
        // since this round read it, so a decision is never applied to a spec it did not see.
        metadata.put("resourceVersion", deployment.resource().getMetadata().getResourceVersion());
        metadata.putObject("annotations").put(Annotations.LAST_DECISION, decision.summary());
        if (decision.changesParallelism()) {
            ObjectNode spec = patch.putObject("spec");
            switch (mode) {
                case JOB_PARALLELISM -> spec.putObject("job").put("parallelism", decision.to());
                case IN_PLACE ->
                        spec.putObject("flinkConfiguration")
                                .put(
                                        Deployment.VERTEX_OVERRIDES,
                                        overrides(deployment, decision.to()));
            }
        }
        String body = patch.toString();
        retry.call("patch " + deployment.key(), () -> patch(deployment, body));
        LOG.info("{}: {}", deployment.key(), decision.summary());
        try {
            retry.call(
                    "event for " + deployment.key(),
                    () ->
                            client.v1()
                                    .events()
                                    .inNamespace(deployment.namespace())
                                    .resource(event(deployment, decision))
                                    .create());
        } catch (KubernetesClientException e) {
            // The patch is what matters; a lost Event is logged, not fatal.
            LOG.warn("Could not record an Event for {}: {}", deployment.key(), e.getMessage());
        }
    }

    /**
     * Keeps what was learned on the resource (one merge patch of one annotation, no precondition:
     * it changes nothing the operator reads). A failure is logged; the next change writes it again.
     */
    public void persist(Deployment deployment, Learned learned) {
        if (dryRun) {
            return;
        }
        ObjectNode patch = json.createObjectNode();
        patch.putObject("metadata")
                .putObject("annotations")
                .put(Annotations.LEARNED, learned.format());
        try {
            retry.call(
                    "learned of " + deployment.key(),
                    () ->
                            client.resources(FlinkDeployment.class)
                                    .inNamespace(deployment.namespace())
                                    .withName(deployment.name())
                                    .patch(
                                            PatchContext.of(PatchType.JSON_MERGE),
                                            patch.toString()));
        } catch (KubernetesClientException e) {
            LOG.warn("Could not keep what was learned of {}: {}", deployment.key(), e.getMessage());
        }
    }

    private FlinkDeployment patch(Deployment deployment, String body) {
        try {
            return client.resources(FlinkDeployment.class)
                    .inNamespace(deployment.namespace())
                    .withName(deployment.name())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), body);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                // Not retried: the same body would fail again. The next round reads and decides
                // anew.
                throw new ChangedMeanwhile(
                        deployment.key()
                                + " changed since it was read (resourceVersion "
                                + deployment.resource().getMetadata().getResourceVersion()
                                + "); deciding again next round");
            }
            throw e;
        }
    }

    /** The resource changed between this round's read and its patch. */
    public static final class ChangedMeanwhile extends RuntimeException {
        ChangedMeanwhile(String message) {
            super(message);
        }
    }

    /**
     * Records why a deployment is not touched at all: a Warning Event (verb: create), no patch. In
     * dry-run mode it only logs.
     */
    public void refuse(Deployment deployment, String reason, String message, Instant time) {
        LOG.warn("{}: {}", deployment.key(), message);
        if (dryRun) {
            return;
        }
        try {
            retry.call(
                    "event for " + deployment.key(),
                    () ->
                            client.v1()
                                    .events()
                                    .inNamespace(deployment.namespace())
                                    .resource(
                                            event(
                                                    deployment,
                                                    reason,
                                                    "Warning",
                                                    message,
                                                    time,
                                                    "refused"))
                                    .create());
        } catch (KubernetesClientException e) {
            LOG.warn("Could not record an Event for {}: {}", deployment.key(), e.getMessage());
        }
    }

    /** "vertexId:parallelism" for every vertex of the running job. */
    private String overrides(Deployment deployment, int parallelism) {
        String jobId = deployment.jobId();
        if (jobId == null) {
            throw new JobManagerClient.JobManagerException(
                    deployment.key() + " has no status.jobStatus.jobId to read vertices of", null);
        }
        String url = deployment.jobManagerUrl();
        List<String> ids =
                retry.call(
                        "vertices of " + deployment.key(), () -> jobManager.vertexIds(url, jobId));
        return ids.stream().map(id -> id + ":" + parallelism).collect(Collectors.joining(","));
    }

    /** A skip is a warning unless it is the deployment restarting, which is normal. */
    private static boolean warning(Decision decision) {
        return decision.kind() == Decision.Kind.SKIP
                && !decision.reason().startsWith(Decider.NOT_READY);
    }

    private Event event(Deployment deployment, Decision decision) {
        String reason =
                switch (decision.kind()) {
                    case SCALE_UP -> "ScaledUp";
                    case SCALE_DOWN -> "ScaledDown";
                    case HOLD -> "Resumed";
                    case SKIP -> "Skipped";
                };
        return event(
                deployment,
                reason,
                warning(decision) ? "Warning" : "Normal",
                decision.summary(),
                decision.time(),
                decision.kind().label());
    }

    private Event event(
            Deployment deployment,
            String reason,
            String type,
            String message,
            Instant at,
            String label) {
        FlinkDeployment resource = deployment.resource();
        String time = at.toString();
        return new EventBuilder()
                .withNewMetadata()
                .withName(
                        deployment.name() + "." + Long.toHexString(at.toEpochMilli()) + "." + label)
                .withNamespace(deployment.namespace())
                .endMetadata()
                .withInvolvedObject(
                        new ObjectReferenceBuilder()
                                .withApiVersion(resource.getApiVersion())
                                .withKind(resource.getKind())
                                .withName(deployment.name())
                                .withNamespace(deployment.namespace())
                                .withUid(resource.getMetadata().getUid())
                                .build())
                .withReason(reason)
                .withMessage(message)
                .withType(type)
                .withFirstTimestamp(time)
                .withLastTimestamp(time)
                .withCount(1)
                .withNewSource()
                .withComponent(COMPONENT)
                .endSource()
                .withReportingComponent(COMPONENT)
                .withReportingInstance(identity.toLowerCase(Locale.ROOT))
                .build();
    }
}
