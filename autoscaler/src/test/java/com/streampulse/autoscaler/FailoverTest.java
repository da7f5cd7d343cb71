package com.streampulse.autoscaler;

import static com.streampulse.autoscaler.Annotations.ENABLED;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.autoscaler.config.AutoscalerConfig;
import com.streampulse.autoscaler.decide.Learned;
import com.streampulse.autoscaler.kube.JobManagerClient;
import com.streampulse.autoscaler.kube.Retry;
import com.streampulse.autoscaler.sim.JobModel;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The controller dies after a spike and a new one takes over (a failover, or a plain rolling update
 * of the controller) while the job, scaled up for the spike, is far above what the load needs. An
 * over-provisioned job is never saturated, so a controller that learns capacity only from
 * saturation could never scale it down. Kubernetes is the fabric8 mock server; the job is the
 * simulator's model (capacity 1000/s per instance, 12 partitions, 60 s restarts, offsets committed
 * on 30 s checkpoints), driven second by second, with a few lines standing in for the operator.
 */
@EnableKubernetesMockClient(crud = true)
class FailoverTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String NAME = "streampulse";

    KubernetesClient client;
    final MutableClock clock = new MutableClock(T0);
    final JobModel job = new JobModel(2, 7);
    String reported = "STABLE";

    Controller controller() {
        return new Controller(
                AutoscalerConfig.from(
                        Map.of(
                                "KAFKA_BOOTSTRAP_SERVERS",
                                "kafka:9092",
                                "WATCH_NAMESPACE",
                                Fixtures.NS,
                                "POD_NAME",
                                "autoscaler-" + clock.instant().getEpochSecond(),
                                "AUTOSCALER_MAX_PARALLELISM",
                                "12")),
                client,
                (group, topic) -> job.sample(clock.instant()),
                new JobManagerClient(),
                new Retry(3, Duration.ofMillis(10)),
                new Metrics(),
                clock);
    }

    /** {@code seconds} of load at {@code rate}; the operator and the controller act every 15 s. */
    void run(Controller controller, int seconds, double rate) {
        for (int s = 0; s < seconds; s++) {
            job.step(rate);
            clock.advance(Duration.ofSeconds(1));
            if (s % 15 == 0) {
                operate();
                controller.runOnce();
            }
        }
    }

    /** The operator's part: restart the job at the spec's parallelism, report whether it runs. */
    void operate() {
        int spec = parallelism();
        if (spec != job.parallelism()) {
            job.rescale(spec);
        }
        String lifecycle = job.running() ? "STABLE" : "UPGRADING";
        if (lifecycle.equals(reported)) {
            return;
        }
        reported = lifecycle;
        client.genericKubernetesResources(Fixtures.FLINK_DEPLOYMENTS)
                .inNamespace(Fixtures.NS)
                .withName(NAME)
                .edit(
                        r -> {
                            @SuppressWarnings("unchecked")
                            Map<String, Object> status =
                                    (Map<String, Object>) r.getAdditionalProperties().get("status");
                            status.put("lifecycleState", lifecycle);
                            return r;
                        });
    }

    int parallelism() {
        return Fixtures.get(client, NAME).get("spec", "job", "parallelism");
    }

    @Test
    void aControllerStartedAfterTheSpikeStillBringsTheJobDown() {
        Fixtures.create(client, NAME, "STABLE", Map.of(ENABLED, "enabled"));

        run(controller(), 600, 9_000);
        assertThat(parallelism()).as("scaled up for the spike").isEqualTo(12);
        GenericKubernetesResource resource = Fixtures.get(client, NAME);
        Learned learned =
                Learned.parse(resource.getMetadata().getAnnotations().get(Annotations.LEARNED));
        assertThat(learned.capacity()).as("capacity kept on the resource").isBetween(900.0, 1100.0);
        assertThat(learned.restart()).as("the rescale's downtime, measured").isNotNull();

        // The first controller is gone; a new one, with nothing in memory, sees 1,500/s.
        run(controller(), 1_200, 1_500);
        // 1,500/s plus the backlog of a 60 s restart worked off in 300 s: 1,800/s at 70 % of
        // 1,000/s per instance is 2.6 instances, so 3 (which also spreads 12 partitions evenly).
        assertThat(parallelism()).as("down to what the load needs").isEqualTo(3);
    }
}
