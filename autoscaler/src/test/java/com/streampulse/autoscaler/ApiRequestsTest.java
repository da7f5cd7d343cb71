package com.streampulse.autoscaler;

import static com.streampulse.autoscaler.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.autoscaler.config.AutoscalerConfig;
import com.streampulse.autoscaler.kube.JobManagerClient;
import com.streampulse.autoscaler.kube.Retry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * Every request the autoscaler sends to the API server, recorded on the mock server while it leads,
 * scales a deployment, records the Event and hands the Lease back, is one that {@link
 * ApiPermissions#USED} (and so the Role) allows: RBAC cannot forbid something the code needs
 * without this test failing first.
 */
@EnableKubernetesMockClient(crud = true)
class ApiRequestsTest {

    /**
     * /api/v1/namespaces/ns/resource[/name] or /apis/group/version/namespaces/ns/resource[/name].
     */
    private static final Pattern PATH =
            Pattern.compile(
                    "^/(?:api/v1|apis/([^/]+)/[^/]+)/namespaces/[^/]+/([^/?]+)(/[^/?]+)?(\\?.*)?$");

    /** One authorised request: what RBAC checks. */
    record Call(String apiGroup, String resource, String verb) {}

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void everyRequestIsAllowedByApiPermissions() throws Exception {
        Fixtures.create(client, "streampulse", "STABLE", Map.of(Annotations.ENABLED, "enabled"));
        drain();

        // Leader election, rounds and the release of the Lease, as in production.
        Autoscaler autoscaler = leadingAutoscaler();
        // A scaling decision (patch and Event) needs a full rate window: the Controller with a
        // clock of its own, on the same API server.
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        Controller controller = controller(clock);
        for (int i = 0; i < 4; i++) {
            controller.runOnce();
            clock.advance(Duration.ofSeconds(10));
        }
        autoscaler.close();

        Set<Call> calls = drain();
        assertThat(calls)
                .as("the scenario made the calls that matter")
                .contains(
                        new Call("flink.apache.org", "flinkdeployments", "patch"),
                        new Call("", "events", "create"),
                        new Call("coordination.k8s.io", "leases", "create"));
        assertThat(calls)
                .allSatisfy(call -> assertThat(allowed()).as(call.toString()).contains(call));
    }

    private Autoscaler leadingAutoscaler() throws InterruptedException {
        AutoscalerConfig config =
                AutoscalerConfig.from(
                        Map.of(
                                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                                "WATCH_NAMESPACE", NS,
                                "POD_NAME", "autoscaler-0",
                                "HTTP_PORT", "0",
                                "AUTOSCALER_INTERVAL", "100ms"));
        ScriptedLag lag = new ScriptedLag(4, Clock.systemUTC());
        Autoscaler autoscaler =
                new Autoscaler(
                        config,
                        client,
                        lag,
                        new JobManagerClient(),
                        new Retry(3, Duration.ofMillis(10)),
                        LeaderElectionTest.FAST,
                        Clock.systemUTC());
        autoscaler.start();
        LeaderElectionTest.await("it leads and runs rounds", () -> lag.calls() >= 3);
        // Renewals update the Lease it holds.
        Thread.sleep(LeaderElectionTest.FAST.retryPeriod().toMillis() * 3);
        return autoscaler;
    }

    private Controller controller(MutableClock clock) {
        return new Controller(
                AutoscalerConfig.from(
                        Map.of(
                                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                                "WATCH_NAMESPACE", NS,
                                "POD_NAME", "autoscaler-0",
                                "AUTOSCALER_INTERVAL", "10s",
                                "AUTOSCALER_RATE_WINDOW", "60s",
                                "AUTOSCALER_SCALE_UP_STABILISATION", "0s")),
                client,
                new ScriptedLag(4, clock),
                new JobManagerClient(),
                new Retry(3, Duration.ofMillis(10)),
                new Metrics(),
                clock);
    }

    private static Set<Call> allowed() {
        Set<Call> allowed = new TreeSet<>(ApiRequestsTest::compare);
        for (ApiPermissions.Permission p : ApiPermissions.USED) {
            p.verbs().forEach(v -> allowed.add(new Call(p.apiGroup(), p.resource(), v)));
        }
        return allowed;
    }

    /** Every request recorded so far, as RBAC sees it. */
    private Set<Call> drain() throws InterruptedException {
        Set<Call> calls = new TreeSet<>(ApiRequestsTest::compare);
        RecordedRequest request;
        while ((request = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            calls.add(call(request));
        }
        return calls;
    }

    private static Call call(RecordedRequest request) {
        String path = request.getPath();
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            throw new AssertionError("Unexpected request " + request.getMethod() + " " + path);
        }
        String group = m.group(1) == null ? "" : m.group(1);
        boolean named = m.group(3) != null;
        boolean watch = m.group(4) != null && m.group(4).contains("watch=true");
        String verb =
                switch (request.getMethod()) {
                    case "GET" -> watch ? "watch" : named ? "get" : "list";
                    case "POST" -> "create";
                    case "PUT" -> "update";
                    case "PATCH" -> "patch";
                    case "DELETE" -> named ? "delete" : "deletecollection";
                    default -> throw new AssertionError("Unexpected method " + request.getMethod());
                };
        return new Call(group, m.group(2), verb);
    }

    private static int compare(Call a, Call b) {
        return a.toString().compareTo(b.toString());
    }
}
