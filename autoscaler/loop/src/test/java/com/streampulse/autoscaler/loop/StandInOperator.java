package com.streampulse.autoscaler.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.streampulse.autoscaler.config.Mode;
import com.streampulse.autoscaler.kube.Deployment;
import com.streampulse.autoscaler.kube.Deployments;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;

/**
 * What the Flink Kubernetes Operator does for the autoscaler, done against a MiniCluster: it
 * applies the FlinkDeployment's parallelism the way the operator does in each mode, and writes back
 * the status the autoscaler reads. In-place: the vertex overrides become a {@code PUT
 * /jobs/<id>/resource-requirements} (the adaptive scheduler rescales the running job).
 * Job-parallelism: stop with a savepoint and submit again from it. The time from the change until
 * every subtask of the rescaled job runs again is the rescale's downtime.
 */
final class StandInOperator {

    /** One applied change of parallelism. */
    record Rescale(int from, int to, Duration downtime) {}

    /** Submits the job at a parallelism, from a savepoint or (null) from the start. */
    interface Launcher {
        JobID launch(int parallelism, String savepoint) throws Exception;
    }

    private static final ResourceDefinitionContext CONTEXT =
            ResourceDefinitionContext.fromResourceType(FlinkDeployment.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final MiniCluster cluster;
    private final Mode mode;
    private final Launcher launcher;
    private final Path savepoints;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final List<Rescale> rescales = new ArrayList<>();

    private JobID job;
    private int applied;
    private int pendingFrom;
    private long pendingSince = -1;
    private Map<String, Object> lastStatus;

    StandInOperator(
            KubernetesClient client,
            String namespace,
            String name,
            MiniCluster cluster,
            Mode mode,
            Launcher launcher,
            Path savepoints) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.cluster = cluster;
        this.mode = mode;
        this.launcher = launcher;
        this.savepoints = savepoints;
    }

    void start(int parallelism) throws Exception {
        job = launcher.launch(parallelism, null);
        applied = parallelism;
    }

    JobID job() {
        return job;
    }

    int applied() {
        return applied;
    }

    /** A change of parallelism was applied and the job does not run at it yet. */
    boolean pending() {
        return pendingSince >= 0;
    }

    List<Rescale> rescales() {
        return List.copyOf(rescales);
    }

    /** One pass of the operator's loop: apply a changed spec, observe the job, write the status. */
    void reconcile() throws Exception {
        Deployment deployment =
                new Deployments(client, namespace)
                        .list().stream()
                                .filter(d -> d.name().equals(name))
                                .findFirst()
                                .orElseThrow();
        int wanted = deployment.parallelism();
        if (wanted != applied && pendingSince < 0) {
            pendingFrom = applied;
            pendingSince = System.nanoTime();
            writeStatus("UPGRADING", "RESTARTING");
            switch (mode) {
                case IN_PLACE -> updateRequirements(deployment, wanted);
                case JOB_PARALLELISM -> {
                    String savepoint =
                            cluster.stopWithSavepoint(
                                            job,
                                            savepoints.toUri().toString(),
                                            false,
                                            SavepointFormatType.CANONICAL)
                                    .get();
                    job = launcher.launch(wanted, savepoint);
                }
            }
            applied = wanted;
        }
        boolean running = runsAt(applied);
        if (running && pendingSince >= 0) {
            rescales.add(
                    new Rescale(
                            pendingFrom,
                            applied,
                            Duration.ofNanos(System.nanoTime() - pendingSince)));
            pendingSince = -1;
        }
        writeStatus(
                running && pendingSince < 0 ? "STABLE" : "DEPLOYED",
                running ? "RUNNING" : "RESTARTING");
    }

    /** The call the operator makes for an in-place rescale: every vertex's new upper bound. */
    private void updateRequirements(Deployment deployment, int parallelism) throws Exception {
        String overrides =
                deployment
                        .resource()
                        .getSpec()
                        .getFlinkConfiguration()
                        .get(Deployment.VERTEX_OVERRIDES);
        ObjectNode body = json.createObjectNode();
        for (String entry : overrides.split(",")) {
            String vertex = entry.substring(0, entry.lastIndexOf(':'));
            body.putObject(vertex)
                    .putObject("parallelism")
                    .put("lowerBound", 1)
                    .put("upperBound", parallelism);
        }
        URI uri = cluster.getRestAddress().get().resolve("/jobs/" + job + "/resource-requirements");
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(uri)
                                .header("Content-Type", "application/json")
                                .PUT(HttpRequest.BodyPublishers.ofString(body.toString()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(
                    "PUT " + uri + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    private String get(URI uri) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(uri).GET().build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** The job runs, at this parallelism, with every subtask RUNNING. */
    boolean runsAt(int parallelism) throws Exception {
        AccessExecutionGraph graph = cluster.getExecutionGraph(job).get();
        if (graph.getState() != JobStatus.RUNNING) {
            return false;
        }
        for (AccessExecutionJobVertex vertex : graph.getAllVertices().values()) {
            if (vertex.getParallelism() != parallelism) {
                return false;
            }
            for (AccessExecutionVertex task : vertex.getTaskVertices()) {
                if (task.getExecutionState() != ExecutionState.RUNNING) {
                    return false;
                }
            }
        }
        return true;
    }

    private void writeStatus(String lifecycle, String jobState) {
        Map<String, Object> jobStatus = new LinkedHashMap<>();
        jobStatus.put("jobId", job.toHexString());
        jobStatus.put("jobName", "StreamPulse");
        jobStatus.put("state", jobState);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("lifecycleState", lifecycle);
        status.put("jobManagerDeploymentStatus", "READY");
        status.put("jobStatus", jobStatus);
        if (status.equals(lastStatus)) {
            return;
        }
        client.genericKubernetesResources(CONTEXT)
                .inNamespace(namespace)
                .withName(name)
                .edit(
                        r -> {
                            r.setAdditionalProperty("status", status);
                            return r;
                        });
        lastStatus = status;
    }
}
