package com.streampulse.autoscaler;

import java.util.List;
import java.util.Set;

/**
 * Every Kubernetes API call the controller makes, as RBAC rules. The Helm chart's and k8s/'s Role
 * must grant exactly these (the deploy module's tests compare them), so a new API call starts here;
 * ApiRequestsTest checks every request the controller sends is one of them.
 */
public final class ApiPermissions {

    /** One RBAC rule: API group ("" for core), resource, verbs. */
    public record Permission(String apiGroup, String resource, Set<String> verbs) {}

    public static final List<Permission> USED =
            List.of(
                    // List opted-in deployments each round, patch parallelism and the decision
                    // annotation.
                    new Permission(
                            "flink.apache.org", "flinkdeployments", Set.of("get", "list", "patch")),
                    // One Kubernetes Event per decision.
                    new Permission("", "events", Set.of("create")),
                    // Leader election with a Lease: fabric8's LeaseLock renews it with a patch.
                    new Permission(
                            "coordination.k8s.io", "leases", Set.of("get", "create", "patch")));

    private ApiPermissions() {}
}
