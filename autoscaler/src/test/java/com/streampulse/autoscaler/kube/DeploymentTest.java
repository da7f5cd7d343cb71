package com.streampulse.autoscaler.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.autoscaler.Annotations;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobSpec;
import org.junit.jupiter.api.Test;

class DeploymentTest {

    static Deployment deployment(String lastDecision, Map<String, String> conf) {
        FlinkDeployment fd = new FlinkDeployment();
        Map<String, String> annotations = new HashMap<>();
        annotations.put(Annotations.ENABLED, "enabled");
        if (lastDecision != null) {
            annotations.put(Annotations.LAST_DECISION, lastDecision);
        }
        fd.setMetadata(
                new ObjectMetaBuilder()
                        .withName("streampulse")
                        .withNamespace("streampulse")
                        .withAnnotations(annotations)
                        .build());
        FlinkDeploymentSpec spec = new FlinkDeploymentSpec();
        JobSpec job = new JobSpec();
        job.setParallelism(2);
        spec.setJob(job);
        spec.setFlinkConfiguration(conf);
        fd.setSpec(spec);
        return new Deployment(fd, "STABLE", "RUNNING");
    }

    @Test
    void theLastRescaleIsReadFromTheAnnotation() {
        assertThat(deployment(null, Map.of()).lastRescale()).isNull();
        assertThat(
                        deployment(
                                        "scale-up 2->4: load needs 4: in 100/s, lag 3700 at"
                                                + " 2026-01-01T00:00:30Z",
                                        Map.of())
                                .lastRescale())
                .isEqualTo(Instant.parse("2026-01-01T00:00:30Z"));
        assertThat(
                        deployment(
                                        "skip 4->4: deployment is not stable and running"
                                                + " (lifecycle UPGRADING, job RUNNING) at"
                                                + " 2026-01-01T00:00:45Z; last rescale"
                                                + " 2026-01-01T00:00:30Z",
                                        Map.of())
                                .lastRescale())
                .isEqualTo(Instant.parse("2026-01-01T00:00:30Z"));
        assertThat(deployment("hold 4->4: fits at 2026-01-01T00:00:45Z", Map.of()).lastRescale())
                .isNull();
    }

    @Test
    void parallelismIsTheJobsOrTheHighestVertexOverride() {
        assertThat(deployment(null, Map.of()).parallelism()).isEqualTo(2);
        assertThat(
                        deployment(
                                        null,
                                        Map.of(
                                                Deployment.VERTEX_OVERRIDES,
                                                "cbc357ccb763df2852fee8c4fc7d55f2:3,"
                                                        + "90bea66de1c231edf33913ecd54406c1:5"))
                                .parallelism())
                .isEqualTo(5);
        assertThat(deployment(null, Map.of()).stableAndRunning()).isTrue();
        assertThat(deployment(null, Map.of()).optedIn()).isTrue();
    }
}
