package com.streampulse.autoscaler;

import static com.streampulse.autoscaler.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.autoscaler.collect.LagCollector;
import com.streampulse.autoscaler.config.AutoscalerConfig;
import com.streampulse.autoscaler.decide.Decision.Kind;
import com.streampulse.autoscaler.kube.JobManagerClient;
import com.streampulse.autoscaler.kube.Retry;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The controller against fabric8's mock API server in CRUD mode: what it writes, where, and what it
 * leaves alone. Kafka is a scripted fake of a job falling behind (see {@link ScriptedLag}); four
 * rounds 10 s apart fill the 60 s window enough to decide.
 */
@EnableKubernetesMockClient(crud = true)
class ControllerTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String ENABLED = Annotations.ENABLED;

    KubernetesClient client;

    final MutableClock clock = new MutableClock(T0);
    final ScriptedLag lag = new ScriptedLag(4, clock);
    final Metrics metrics = new Metrics();

    Controller controller(String... settings) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");
        env.put("WATCH_NAMESPACE", NS);
        env.put("POD_NAME", "autoscaler-0");
        env.put("AUTOSCALER_INTERVAL", "10s");
        env.put("AUTOSCALER_RATE_WINDOW", "60s");
        env.put("AUTOSCALER_SCALE_UP_STABILISATION", "0s");
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        return new Controller(
                AutoscalerConfig.from(env),
                client,
                lag,
                new JobManagerClient(),
                new Retry(3, Duration.ofMillis(10)),
                metrics,
                clock);
    }

    void rounds(Controller controller, int count) {
        for (int i = 0; i < count; i++) {
            controller.runOnce();
            clock.advance(Duration.ofSeconds(10));
        }
    }

    List<Event> events() {
        return client.v1().events().inNamespace(NS).list().getItems();
    }

    @SuppressWarnings("unchecked")
    static Object at(Map<String, Object> map, String... path) {
        Object value = map;
        for (String key : path) {
            value = value == null ? null : ((Map<String, Object>) value).get(key);
        }
        return value;
    }

    @Test
    void patchesOnlyTheParallelismAndTheAnnotationOfTheOptedInDeployment() {
        Fixtures.create(client, "streampulse", "STABLE", Map.of(ENABLED, "enabled"));
        Fixtures.create(client, "other-job", "STABLE", Map.of("team", "analytics"));
        Map<String, Object> before = Fixtures.content(client, "streampulse");
        var otherBefore = Fixtures.get(client, "other-job");

        rounds(controller(), 4);

        Map<String, Object> after = Fixtures.content(client, "streampulse");
        assertThat(at(after, "spec", "job", "parallelism")).isEqualTo(4); // capped by 4 partitions
        String decision = (String) at(after, "metadata", "annotations", Annotations.LAST_DECISION);
        assertThat(decision)
                // 100/s in against 5/s per instance: far more than 2 can process, a surge.
                .startsWith(
                        "scale-up 2->4: load needs 4 now (surge: the last interval's input alone is"
                                + " more than 2 can process): in 100/s, lag 3700, capacity 5/s")
                .endsWith(" at 2026-01-01T00:00:30Z");

        // Nothing else changed: put the two fields back and the resources are identical.
        @SuppressWarnings("unchecked")
        Map<String, Object> annotations =
                (Map<String, Object>) at(after, "metadata", "annotations");
        annotations.remove(Annotations.LAST_DECISION);
        // What was learned is kept for the next leader (see FailoverTest).
        assertThat(annotations.remove(Annotations.LEARNED))
                .isEqualTo("capacity=5.0/s restart=unknown");
        @SuppressWarnings("unchecked")
        Map<String, Object> job = (Map<String, Object>) at(after, "spec", "job");
        job.put("parallelism", 2);
        assertThat(after).isEqualTo(before);

        // The deployment without the annotation was not even written to.
        assertThat(Fixtures.get(client, "other-job")).isEqualTo(otherBefore);
        assertThat(lag.calls).containsOnly("streampulse-processor@content-downloads");

        List<Event> events = events();
        assertThat(events).hasSize(1);
        Event event = events.get(0);
        assertThat(event.getReason()).isEqualTo("ScaledUp");
        assertThat(event.getType()).isEqualTo("Normal");
        assertThat(event.getMessage()).isEqualTo(decision);
        assertThat(event.getInvolvedObject().getKind()).isEqualTo("FlinkDeployment");
        assertThat(event.getInvolvedObject().getApiVersion()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(event.getInvolvedObject().getName()).isEqualTo("streampulse");
        assertThat(event.getReportingInstance()).isEqualTo("autoscaler-0");
        assertThat(metrics.decisions(NS, "streampulse", Kind.SCALE_UP)).isEqualTo(1);
        assertThat(metrics.decisions(NS, "streampulse", Kind.HOLD)).isEqualTo(3);
    }

    @Test
    void anAnnotationOtherThanEnabledIsNoOptIn() {
        Fixtures.create(client, "streampulse", "STABLE", Map.of(ENABLED, "disabled"));
        var before = Fixtures.get(client, "streampulse");
        rounds(controller(), 4);
        assertThat(Fixtures.get(client, "streampulse")).isEqualTo(before);
        assertThat(lag.calls()).isZero();
        assertThat(events()).isEmpty();
    }

    @Test
    void perDeploymentAnnotationsOverrideTheDefaults() {
        Fixtures.create(
                client,
                "streampulse",
                "STABLE",
                Map.of(
                        ENABLED,
                        "enabled",
                        Annotations.TOPIC,
                        "downloads-eu",
                        Annotations.CONSUMER_GROUP,
                        "processor-eu",
                        Annotations.MAX_PARALLELISM,
                        "2"));
        rounds(controller(), 4);
        assertThat(lag.calls).containsOnly("processor-eu@downloads-eu");
        assertThat(at(Fixtures.content(client, "streampulse"), "spec", "job", "parallelism"))
                .isEqualTo(2);
    }

    @Test
    void dryRunDecidesButWritesNothing() {
        Fixtures.create(client, "streampulse", "STABLE", Map.of(ENABLED, "enabled"));
        var before = Fixtures.get(client, "streampulse");
        rounds(controller("AUTOSCALER_DRY_RUN", "true"), 4);
        assertThat(Fixtures.get(client, "streampulse")).isEqualTo(before);
        assertThat(events()).isEmpty();
        assertThat(metrics.decisions(NS, "streampulse", Kind.SCALE_UP)).isEqualTo(1);
    }

    @Test
    void aDeploymentThatIsNotStableIsLeftAloneAndTheReasonRecordedOnce() {
        Fixtures.create(client, "streampulse", "DEPLOYED", Map.of(ENABLED, "enabled"));
        rounds(controller(), 4);
        Map<String, Object> after = Fixtures.content(client, "streampulse");
        assertThat(at(after, "spec", "job", "parallelism")).isEqualTo(2);
        assertThat((String) at(after, "metadata", "annotations", Annotations.LAST_DECISION))
                .isEqualTo(
                        "skip 2->2: deployment is not stable and running (lifecycle DEPLOYED, job"
                                + " RUNNING) at 2026-01-01T00:00:00Z");
        assertThat(lag.calls()).isZero();
        assertThat(events()).singleElement().extracting(Event::getReason).isEqualTo("Skipped");
        assertThat(metrics.decisions(NS, "streampulse", Kind.SKIP)).isEqualTo(4);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theEventsTellWhenSkippingStartsAndEnds() {
        Fixtures.create(client, "streampulse", "DEPLOYED", Map.of(ENABLED, "enabled"));
        Controller controller = controller();
        rounds(controller, 2);
        client.genericKubernetesResources(Fixtures.FLINK_DEPLOYMENTS)
                .inNamespace(NS)
                .withName("streampulse")
                .edit(
                        r -> {
                            ((Map<String, Object>) r.getAdditionalProperties().get("status"))
                                    .put("lifecycleState", "STABLE");
                            return r;
                        });
        rounds(controller, 2);

        assertThat(events())
                .extracting(Event::getReason, Event::getType)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("Skipped", "Normal"),
                        org.assertj.core.groups.Tuple.tuple("Resumed", "Normal"));
        assertThat(
                        (String)
                                at(
                                        Fixtures.content(client, "streampulse"),
                                        "metadata",
                                        "annotations",
                                        Annotations.LAST_DECISION))
                .isEqualTo("hold 2->2: collecting rates, 0s of 30s seen at 2026-01-01T00:00:20Z");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aStatelessDeploymentIsNeverRescaledAndTheRefusalIsRecordedOnce() {
        Fixtures.create(client, "streampulse", "STABLE", Map.of(ENABLED, "enabled"), "stateless");
        var before = Fixtures.get(client, "streampulse");
        Controller controller = controller();

        rounds(controller, 4);

        // Not written at all (the resourceVersion is part of the comparison), offsets not read.
        assertThat(Fixtures.get(client, "streampulse")).isEqualTo(before);
        assertThat(lag.calls()).isZero();
        assertThat(events())
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.getReason()).isEqualTo("RescaleRefused");
                            assertThat(e.getType()).isEqualTo("Warning");
                            assertThat(e.getMessage())
                                    .isEqualTo(
                                            "not rescaling: spec.job.upgradeMode is stateless, so"
                                                    + " a rescale would restart the job without"
                                                    + " its state and overwrite its results with"
                                                    + " partial sums; set upgradeMode to"
                                                    + " last-state or savepoint");
                            assertThat(e.getInvolvedObject().getName()).isEqualTo("streampulse");
                        });
        assertThat(metrics.decisions(NS, "streampulse", Kind.SKIP)).isEqualTo(4);

        // Once the mode keeps state, the same controller scales it like any other.
        client.genericKubernetesResources(Fixtures.FLINK_DEPLOYMENTS)
                .inNamespace(NS)
                .withName("streampulse")
                .edit(
                        r -> {
                            var spec =
                                    (Map<String, Object>) r.getAdditionalProperties().get("spec");
                            ((Map<String, Object>) spec.get("job"))
                                    .put("upgradeMode", "last-state");
                            return r;
                        });
        rounds(controller, 4);
        assertThat(at(Fixtures.content(client, "streampulse"), "spec", "job", "parallelism"))
                .isEqualTo(4);
    }

    @Test
    void aResourceChangedBetweenReadAndPatchIsNotPatchedButDecidedAgain() {
        Fixtures.create(client, "streampulse", "STABLE", Map.of(ENABLED, "enabled"));
        // Someone edits the deployment while the fourth round reads offsets, after the round read
        // the resource and before it patches it.
        Controller controller =
                new Controller(
                        AutoscalerConfig.from(
                                Map.of(
                                        "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                                        "WATCH_NAMESPACE", NS,
                                        "POD_NAME", "autoscaler-0",
                                        "AUTOSCALER_INTERVAL", "10s",
                                        "AUTOSCALER_RATE_WINDOW", "60s",
                                        "AUTOSCALER_SCALE_UP_STABILISATION", "0s")),
                        client,
                        (group, topic) -> {
                            if (lag.calls() == 3) {
                                client.genericKubernetesResources(Fixtures.FLINK_DEPLOYMENTS)
                                        .inNamespace(NS)
                                        .withName("streampulse")
                                        .edit(
                                                r -> {
                                                    r.getMetadata()
                                                            .getLabels()
                                                            .put("edited", "meanwhile");
                                                    return r;
                                                });
                            }
                            return lag.read(group, topic);
                        },
                        new JobManagerClient(),
                        new Retry(3, Duration.ofMillis(10)),
                        metrics,
                        clock);
        rounds(controller, 4);
        Map<String, Object> after = Fixtures.content(client, "streampulse");
        assertThat(at(after, "spec", "job", "parallelism")).isEqualTo(2);
        assertThat(at(after, "metadata", "labels", "edited")).isEqualTo("meanwhile");
        assertThat(metrics.errors()).isEqualTo(1);

        rounds(controller, 1);
        assertThat(at(Fixtures.content(client, "streampulse"), "spec", "job", "parallelism"))
                .isEqualTo(4);
    }

    @Test
    void unreadableOffsetsAreASkipThatSaysWhy() {
        Fixtures.create(client, "streampulse", "STABLE", Map.of(ENABLED, "enabled"));
        Controller controller =
                new Controller(
                        AutoscalerConfig.from(
                                Map.of(
                                        "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                                        "WATCH_NAMESPACE", NS,
                                        "POD_NAME", "autoscaler-0")),
                        client,
                        (group, topic) -> {
                            throw new LagCollector.CollectException(
                                    "Reading offsets of group "
                                            + group
                                            + " on "
                                            + topic
                                            + " timed out",
                                    null);
                        },
                        new JobManagerClient(),
                        new Retry(3, Duration.ofMillis(10)),
                        metrics,
                        clock);
        rounds(controller, 2);
        Map<String, Object> after = Fixtures.content(client, "streampulse");
        assertThat(at(after, "spec", "job", "parallelism")).isEqualTo(2);
        assertThat((String) at(after, "metadata", "annotations", Annotations.LAST_DECISION))
                .isEqualTo(
                        "skip 2->2: no offsets read yet; Reading offsets of group"
                                + " streampulse-processor on content-downloads timed out at"
                                + " 2026-01-01T00:00:00Z");
        assertThat(events()).singleElement().extracting(Event::getType).isEqualTo("Warning");
    }

    @Test
    void aMalformedOverrideIsReportedNotGuessed() {
        Fixtures.create(
                client,
                "streampulse",
                "STABLE",
                Map.of(ENABLED, "enabled", Annotations.MAX_PARALLELISM, "lots"));
        rounds(controller(), 4);
        Map<String, Object> after = Fixtures.content(client, "streampulse");
        assertThat(at(after, "spec", "job", "parallelism")).isEqualTo(2);
        assertThat((String) at(after, "metadata", "annotations", Annotations.LAST_DECISION))
                .startsWith(
                        "skip 2->2: bad annotation: streampulse.io/autoscaler-max-parallelism must"
                                + " be a whole number, got 'lots'");
        assertThat(events()).singleElement().extracting(Event::getType).isEqualTo("Warning");
    }

    @Test
    void inPlaceModeOverridesEveryVertexWithIdsFromTheJobManager() throws Exception {
        HttpServer jobManager = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = recordedJobDetails();
        jobManager.createContext(
                "/jobs/" + Fixtures.JOB_ID + "/",
                ex -> {
                    ex.getResponseHeaders().set("Content-Type", "application/json");
                    ex.sendResponseHeaders(200, body.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(body);
                    }
                });
        jobManager.start();
        try {
            Fixtures.create(
                    client,
                    "streampulse",
                    "STABLE",
                    Map.of(
                            ENABLED,
                            "enabled",
                            Annotations.JOBMANAGER_URL,
                            "http://127.0.0.1:" + jobManager.getAddress().getPort()));
            Map<String, Object> before = Fixtures.content(client, "streampulse");

            rounds(controller("AUTOSCALER_MODE", "in-place"), 4);

            Map<String, Object> after = Fixtures.content(client, "streampulse");
            assertThat(at(after, "spec", "flinkConfiguration"))
                    .isEqualTo(
                            Map.of(
                                    "taskmanager.numberOfTaskSlots",
                                    "2",
                                    "execution.checkpointing.interval",
                                    "30s",
                                    "jobmanager.scheduler",
                                    "adaptive",
                                    "pipeline.jobvertex-parallelism-overrides",
                                    "cbc357ccb763df2852fee8c4fc7d55f2:4,"
                                            + "90bea66de1c231edf33913ecd54406c1:4,"
                                            + "20ba6b65f97481d5570070de90e4e791:4"));
            // spec.job.parallelism is left to the operator's upgrade path: untouched.
            assertThat(at(after, "spec", "job")).isEqualTo(at(before, "spec", "job"));
            assertThat(at(after, "spec", "jobManager")).isEqualTo(at(before, "spec", "jobManager"));
            assertThat(at(after, "spec", "taskManager"))
                    .isEqualTo(at(before, "spec", "taskManager"));
        } finally {
            jobManager.stop(0);
        }
    }

    /** GET /jobs/<id>/ as a Flink 1.20 JobManager answers it, trimmed to what matters. */
    static byte[] recordedJobDetails() throws Exception {
        try (var in = ControllerTest.class.getResourceAsStream("/jobmanager-job-details.json")) {
            return in.readAllBytes();
        }
    }
}
