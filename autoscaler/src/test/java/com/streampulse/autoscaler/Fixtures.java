package com.streampulse.autoscaler;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;

/** FlinkDeployments as the operator leaves them, stored in the mock API server. */
final class Fixtures {

    static final String NS = "streampulse";
    static final String JOB_ID = "3f2b8c5e4d1a4b6c9e8f7a6b5c4d3e2f";

    static final ResourceDefinitionContext FLINK_DEPLOYMENTS =
            ResourceDefinitionContext.fromResourceType(FlinkDeployment.class);

    private Fixtures() {}

    static String yaml(String name, String lifecycle, Map<String, String> annotations) {
        return yaml(name, lifecycle, annotations, "last-state");
    }

    static String yaml(
            String name, String lifecycle, Map<String, String> annotations, String upgradeMode) {
        StringBuilder a = new StringBuilder();
        annotations.forEach(
                (k, v) -> a.append("    ").append(k).append(": \"").append(v).append("\"\n"));
        return """
               apiVersion: flink.apache.org/v1beta1
               kind: FlinkDeployment
               metadata:
                 name: %s
                 namespace: %s
                 labels:
                   app: streampulse
                 annotations:
               %s
               spec:
                 image: streampulse-job:1.0.0
                 flinkVersion: v1_20
                 serviceAccount: flink
                 flinkConfiguration:
                   taskmanager.numberOfTaskSlots: "2"
                   execution.checkpointing.interval: 30s
                   jobmanager.scheduler: adaptive
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
                   upgradeMode: %s
                   state: running
               status:
                 lifecycleState: %s
                 jobManagerDeploymentStatus: READY
                 jobStatus:
                   jobId: %s
                   jobName: StreamPulse
                   state: RUNNING
               """
                .formatted(name, NS, a.toString().stripTrailing(), upgradeMode, lifecycle, JOB_ID);
    }

    static void create(
            KubernetesClient client,
            String name,
            String lifecycle,
            Map<String, String> annotations) {
        create(client, name, lifecycle, annotations, "last-state");
    }

    static void create(
            KubernetesClient client,
            String name,
            String lifecycle,
            Map<String, String> annotations,
            String upgradeMode) {
        GenericKubernetesResource r =
                client.getKubernetesSerialization()
                        .unmarshal(
                                yaml(name, lifecycle, annotations, upgradeMode),
                                GenericKubernetesResource.class);
        client.genericKubernetesResources(FLINK_DEPLOYMENTS).inNamespace(NS).resource(r).create();
    }

    static GenericKubernetesResource get(KubernetesClient client, String name) {
        return client.genericKubernetesResources(FLINK_DEPLOYMENTS)
                .inNamespace(NS)
                .withName(name)
                .get();
    }

    /** The resource as a plain map without the fields the API server itself bumps on any write. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> content(KubernetesClient client, String name) {
        Map<String, Object> map =
                client.getKubernetesSerialization()
                        .convertValue(get(client, name), LinkedHashMap.class);
        Map<String, Object> metadata = new HashMap<>((Map<String, Object>) map.get("metadata"));
        metadata.remove("resourceVersion");
        metadata.remove("generation");
        metadata.remove("managedFields");
        map.put("metadata", metadata);
        return map;
    }
}
