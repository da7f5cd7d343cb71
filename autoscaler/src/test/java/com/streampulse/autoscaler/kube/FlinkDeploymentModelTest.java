package com.streampulse.autoscaler.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.junit.jupiter.api.Test;

/**
 * The operator-api model with flink-annotations, jsr305 and commons-io excluded (see the pom): a
 * FlinkDeployment as the operator writes it still reads and writes back intact.
 */
class FlinkDeploymentModelTest {

    static final String YAML =
            """
            apiVersion: flink.apache.org/v1beta1
            kind: FlinkDeployment
            metadata:
              name: streampulse
              namespace: streampulse
              annotations:
                streampulse.io/autoscaler: enabled
            spec:
              image: streampulse-job:1.0.0
              flinkVersion: v1_20
              serviceAccount: flink
              flinkConfiguration:
                taskmanager.numberOfTaskSlots: "2"
                execution.checkpointing.interval: 30s
              jobManager:
                resource:
                  memory: 1024m
                  cpu: 0.5
              taskManager:
                resource:
                  memory: 2048m
                  cpu: 1
              job:
                jarURI: local:///opt/flink/usrlib/streampulse-job.jar
                parallelism: 2
                upgradeMode: last-state
                state: running
            status:
              lifecycleState: STABLE
              jobManagerDeploymentStatus: READY
              jobStatus:
                jobId: 3f2b8c5e4d1a4b6c9e8f7a6b5c4d3e2f
                jobName: StreamPulse
                state: RUNNING
            """;

    final KubernetesSerialization serialization = new KubernetesSerialization();

    @Test
    void readsAndWritesBackWhatTheOperatorStores() {
        FlinkDeployment fd = serialization.unmarshal(YAML, FlinkDeployment.class);
        assertThat(fd.getSpec().getJob().getParallelism()).isEqualTo(2);
        assertThat(fd.getSpec().getFlinkConfiguration())
                .containsEntry("execution.checkpointing.interval", "30s");
        assertThat(fd.getStatus().getJobStatus().getState()).isEqualTo(JobStatus.RUNNING);
        assertThat(fd.getStatus().getJobStatus().getJobId())
                .isEqualTo("3f2b8c5e4d1a4b6c9e8f7a6b5c4d3e2f");

        String written = serialization.asJson(fd);
        FlinkDeployment again = serialization.unmarshal(written, FlinkDeployment.class);
        assertThat(again.getSpec()).isEqualTo(fd.getSpec());
        assertThat(again.getMetadata()).isEqualTo(fd.getMetadata());
        assertThat(again.getStatus().getJobStatus()).isEqualTo(fd.getStatus().getJobStatus());

        // Writing again gives the same bytes: nothing is lost or invented on a second pass (the
        // first pass only adds the model's defaults: job.args [], jobManager.replicas 1).
        assertThat(serialization.asJson(again)).isEqualTo(written);
        Map<?, ?> spec = (Map<?, ?>) serialization.unmarshal(written, Map.class).get("spec");
        assertThat(spec.get("job").toString())
                .isEqualTo(
                        "{jarURI=local:///opt/flink/usrlib/streampulse-job.jar, parallelism=2,"
                                + " args=[], state=running, upgradeMode=last-state}");
    }
}
