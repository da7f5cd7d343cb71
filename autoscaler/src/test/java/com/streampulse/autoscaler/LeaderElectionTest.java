package com.streampulse.autoscaler;

import static com.streampulse.autoscaler.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.autoscaler.config.AutoscalerConfig;
import com.streampulse.autoscaler.kube.JobManagerClient;
import com.streampulse.autoscaler.kube.Retry;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Two controller instances against one API server: only the Lease holder acts. */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {

    static final Duration DEADLINE = Duration.ofSeconds(30);
    static final Autoscaler.LeaseTiming FAST =
            new Autoscaler.LeaseTiming(
                    Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200));

    KubernetesClient client;

    final HttpClient http = HttpClient.newHttpClient();

    Autoscaler instance(String podName, ScriptedLag lag) {
        AutoscalerConfig config =
                AutoscalerConfig.from(
                        Map.of(
                                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                                "WATCH_NAMESPACE", NS,
                                "POD_NAME", podName,
                                "HTTP_PORT", "0",
                                "AUTOSCALER_INTERVAL", "100ms"));
        return new Autoscaler(
                config,
                client,
                lag,
                new JobManagerClient(),
                new Retry(3, Duration.ofMillis(10)),
                FAST,
                Clock.systemUTC());
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant end = Instant.now().plus(DEADLINE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("Timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    String get(Autoscaler a, String path) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + a.httpPort() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    @Test
    void onlyTheLeaseHolderActsAndTheOtherTakesOverWhenItStops() throws Exception {
        Fixtures.create(client, "streampulse", "STABLE", Map.of(Annotations.ENABLED, "enabled"));
        ScriptedLag lagA = new ScriptedLag(4, Clock.systemUTC());
        ScriptedLag lagB = new ScriptedLag(4, Clock.systemUTC());
        Autoscaler a = instance("autoscaler-a", lagA);
        Autoscaler b = instance("autoscaler-b", lagB);
        try {
            a.start();
            b.start();
            await("one instance leads", () -> a.isLeading() || b.isLeading());
            Autoscaler leader = a.isLeading() ? a : b;
            Autoscaler follower = leader == a ? b : a;
            ScriptedLag leaderLag = leader == a ? lagA : lagB;
            ScriptedLag followerLag = leader == a ? lagB : lagA;
            String leaderName = leader == a ? "autoscaler-a" : "autoscaler-b";

            await("the leader has run rounds", () -> leaderLag.calls() >= 5);
            assertThat(follower.isLeading()).isFalse();
            assertThat(followerLag.calls()).isZero();
            Lease lease = client.leases().inNamespace(NS).withName("streampulse-autoscaler").get();
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leaderName);

            assertThat(get(leader, "/healthz")).isEqualTo("200 ok\n");
            assertThat(get(follower, "/readyz")).isEqualTo("200 ok\n");
            String metrics = get(leader, "/metrics");
            assertThat(metrics)
                    .startsWith("200 ")
                    .contains("\nstreampulse_autoscaler_leader 1\n")
                    .contains(
                            "\nstreampulse_autoscaler_current_parallelism"
                                    + "{namespace=\"streampulse\",deployment=\"streampulse\"} 2\n")
                    .containsPattern(
                            "\nstreampulse_autoscaler_decisions_total\\{namespace=\"streampulse\","
                                    + "deployment=\"streampulse\",kind=\"hold\"} [1-9]");
            assertThat(get(follower, "/metrics")).contains("\nstreampulse_autoscaler_leader 0\n");

            leader.stop();
            leader.stop(); // safe twice
            int before = followerLag.calls();
            await("the other instance leads", follower::isLeading);
            await("the new leader acts", () -> followerLag.calls() > before + 2);
        } finally {
            a.close();
            b.close();
        }
    }
}
