package com.streampulse.autoscaler.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;

/** Lists the FlinkDeployments of a namespace (verb: list). */
public final class Deployments {

    private static final ResourceDefinitionContext CONTEXT =
            ResourceDefinitionContext.fromResourceType(FlinkDeployment.class);

    private final KubernetesClient client;
    private final String namespace;

    public Deployments(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    public List<Deployment> list() {
        return client
                .genericKubernetesResources(CONTEXT)
                .inNamespace(namespace)
                .list()
                .getItems()
                .stream()
                .map(this::toDeployment)
                .toList();
    }

    private Deployment toDeployment(GenericKubernetesResource generic) {
        FlinkDeployment typed =
                client.getKubernetesSerialization().convertValue(generic, FlinkDeployment.class);
        Object status = generic.getAdditionalProperties().get("status");
        String lifecycle = null;
        String jobState = null;
        if (status instanceof Map<?, ?> s) {
            lifecycle = asString(s.get("lifecycleState"));
            if (s.get("jobStatus") instanceof Map<?, ?> job) {
                jobState = asString(job.get("state"));
            }
        }
        return new Deployment(typed, lifecycle, jobState);
    }

    private static String asString(Object value) {
        return value == null ? null : value.toString();
    }
}
