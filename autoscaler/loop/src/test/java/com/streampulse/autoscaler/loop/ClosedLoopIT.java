package com.streampulse.autoscaler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.autoscaler.Annotations;
import com.streampulse.autoscaler.Controller;
import com.streampulse.autoscaler.Metrics;
import com.streampulse.autoscaler.collect.LagCollector;
import com.streampulse.autoscaler.config.AutoscalerConfig;
import com.streampulse.autoscaler.config.Mode;
import com.streampulse.autoscaler.kube.JobManagerClient;
import com.streampulse.autoscaler.kube.Retry;
import com.streampulse.autoscaler.loop.StandInOperator.Rescale;
import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.it.Pipeline;
import com.streampulse.job.it.RandomTraffic;
import com.streampulse.job.it.Sent;
import com.streampulse.job.it.TableSnapshot;
import com.streampulse.job.it.TestEvent;
import com.streampulse.job.records.Ingested;
import com.streampulse.testkit.EmbeddedKafka;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The autoscaler's real {@link Controller} deciding for the real job: a MiniCluster with the
 * adaptive scheduler and its REST API, the job on a 12-partition topic of a real broker, each
 * source subtask paced to {@value #PER_SUBTASK} records/s (the machine's two cores are never the
 * limit), a load trace compressed in time with the policy's durations compressed alike (15 s rounds
 * become 0.5 s), and a {@link StandInOperator} doing the operator's part in each mode. The load
 * steps up ×3; the job must settle in at most two rescales, and the tables must then equal the
 * oracle: no count lost or doubled through the rescales.
 *
 * <p>{@code make autoscaler-loop} runs the long trace ({@code -Dloop.full=true}): the step up, a
 * longer stay, and the load back down, which the controller must follow down too.
 */
@EnableKubernetesMockClient(crud = true)
class ClosedLoopIT {

    static final String NS = "loop";
    static final String NAME = "streampulse";
    static final int PARTITIONS = 12;
    static final int PER_SUBTASK = 100;
    static final double BASE = 60;
    static final boolean FULL = Boolean.getBoolean("loop.full");

    /** Seconds: the step up, the step back down (after the end in the smoke run), the end. */
    static final double STEP_UP = FULL ? 15 : 6;

    static final double STEP_DOWN = FULL ? 75 : 1e9;
    static final double END = FULL ? 150 : 30;

    static final ResourceDefinitionContext FLINK_DEPLOYMENTS =
            ResourceDefinitionContext.fromResourceType(FlinkDeployment.class);

    static EmbeddedKafka kafka;
    static Pipeline pipeline;
    static MiniCluster cluster;

    KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        pipeline = new Pipeline(kafka);
        Configuration conf = new Configuration();
        conf.set(JobManagerOptions.SCHEDULER, JobManagerOptions.SchedulerType.Adaptive);
        // The adaptive scheduler waits 30 s between rescales by default; the trace is compressed.
        conf.set(JobManagerOptions.SCHEDULER_SCALING_INTERVAL_MIN, Duration.ZERO);
        conf.set(RestOptions.BIND_PORT, "0"); // other builds on the machine may hold 8081
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(PARTITIONS)
                                .build());
        cluster.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    static double load(double seconds) {
        return seconds < STEP_UP || seconds >= STEP_DOWN ? BASE : 3 * BASE;
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aStepOfThreeTimesSettlesInAtMostTwoRescalesAndNoCountIsLostOrDoubled(Mode mode)
            throws Exception {
        String topic = "loop-" + mode.value();
        kafka.createTopic(topic, PARTITIONS);
        pipeline.db().truncateAll();
        JobConfig config =
                pipeline.config(
                        "--kafka-topic=" + topic,
                        "--kafka-group-id=streampulse-" + topic,
                        "--idleness=5s");
        Path savepoints = Files.createTempDirectory("loop-savepoints");
        Source<Ingested, ?, ?> source =
                StreamPulseJob.kafkaSourceBuilder(config.kafka())
                        .setDeserializer(new ThrottledDeserializer(PER_SUBTASK))
                        // Small fetches: a paced subtask moves between its partitions often, so
                        // none of them looks idle while it waits its turn.
                        .setProperty("max.poll.records", "20")
                        .build();
        StandInOperator operator =
                new StandInOperator(
                        client,
                        NS,
                        NAME,
                        cluster,
                        mode,
                        (parallelism, savepoint) -> {
                            TestStreamEnvironment env =
                                    new TestStreamEnvironment(cluster, parallelism);
                            StreamPulseJob.configure(env, config);
                            if (savepoint != null) {
                                Configuration restore = new Configuration();
                                restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
                                env.configure(restore);
                            }
                            new StreamPulseJob(config, source, pipeline.sinks(config)).build(env);
                            return env.executeAsync("StreamPulse").getJobID();
                        },
                        savepoints);
        operator.start(1);
        createDeployment(mode, operator.job().toHexString());

        int records = (int) (BASE * END * 3) + 1_000;
        List<TestEvent> traffic =
                spreadOverPartitions(RandomTraffic.records(new Random(13), records));
        List<Sent> sent;
        List<Integer> afterStep = new ArrayList<>();
        List<String> readsOfTheRunningJob = new ArrayList<>();
        try (Admin admin = Admin.create(kafka.adminProperties());
                PacedProducer producer =
                        new PacedProducer(
                                kafka.adminProperties(), topic, traffic, ClosedLoopIT::load, END)) {
            Controller controller =
                    new Controller(
                            controllerConfig(mode, topic, "streampulse-" + topic),
                            client,
                            new LagCollector(admin, Clock.systemUTC()),
                            new JobManagerClient(),
                            new Retry(3, Duration.ofMillis(200)),
                            new Metrics(),
                            Clock.systemUTC());
            producer.start();
            while (!producer.done()) {
                operator.reconcile();
                controller.runOnce();
                readsOfTheRunningJob.add(readRunningJob(operator));
                Thread.sleep(500);
            }
            sent = producer.await();
            // A rescale decided near the end of the trace may still be under way (this machine
            // is slow): let it finish, without further decisions, so its downtime is measured.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (operator.pending() && System.nanoTime() < deadline) {
                operator.reconcile();
                Thread.sleep(200);
            }
            readsOfTheRunningJob.add(readRunningJob(operator));
        }
        List<Rescale> rescales = operator.rescales();
        System.out.printf(
                "closed loop %s: rescales %s, %d records sent over %.0f s%n",
                mode.value(), rescales, sent.size(), END);

        TableSnapshot expected = RandomTraffic.expected(config, sent);
        List<Rescale> up = rescales.stream().filter(r -> r.to() > r.from()).toList();
        assertThat(up).as("scale-ups after the ×3 step").isNotEmpty().hasSizeLessThanOrEqualTo(2);
        assertThat(up.get(up.size() - 1).to() * PER_SUBTASK)
                .as("capacity reached after the step")
                .isGreaterThanOrEqualTo((int) (3 * BASE));
        if (FULL) {
            assertThat(rescales.get(rescales.size() - 1).to())
                    .as("parallelism after the load went back down")
                    .isLessThan(up.get(up.size() - 1).to());
        } else {
            assertThat(rescales).as("no scale-down while the load stays up").isEqualTo(up);
        }
        // The controller's reads of the real JobManager REST API: the running job's parallelism
        // as the stand-in operator last set it, and Flink's own capacity figure of a source
        // subtask. That figure is only read and printed here: the throttle is a rate limit, not
        // CPU work, so busy time misjudges it (the controller uses the figure only to come down).
        System.out.printf(
                "closed loop %s: running job read as %s%n",
                mode.value(), readsOfTheRunningJob.stream().distinct().toList());
        assertThat(readsOfTheRunningJob.get(readsOfTheRunningJob.size() - 1))
                .as("the running job's parallelism after the last rescale")
                .startsWith("p=" + rescales.get(rescales.size() - 1).to() + " ");
        assertThat(
                        readsOfTheRunningJob.stream()
                                .filter(r -> !r.endsWith("NaN"))
                                .map(
                                        r ->
                                                Double.parseDouble(
                                                        r.substring(r.indexOf("capacity=") + 9))))
                .as("Flink's capacity of one source subtask")
                .isNotEmpty()
                .allMatch(c -> c > 0);
        TableSnapshot actual = pipeline.awaitTables(expected::equals, Duration.ofSeconds(120));
        cluster.cancelJob(operator.job()).get();
        assertThat(actual.toString()).isEqualTo(expected.toString());
    }

    /**
     * What the controller reads of the running job through the MiniCluster's REST API: "p=<running
     * parallelism> capacity=<records/s per fully busy source subtask, NaN while too idle>".
     */
    static String readRunningJob(StandInOperator operator) {
        JobManagerClient rest = new JobManagerClient();
        String url = cluster.getRestAddress().join().toString();
        String job = operator.job().toHexString();
        try {
            JobManagerClient.RunningJob running = rest.runningJob(url, job);
            JobManagerClient.Vertex source = running.source();
            double capacity =
                    rest.sourceLoad(url, job, source.id())
                            .capacityPerInstance(source.parallelism());
            return "p=" + running.parallelism() + " capacity=" + capacity;
        } catch (JobManagerClient.JobManagerException e) {
            return "unread (" + e.getMessage() + ") capacity=NaN"; // restarting
        }
    }

    /** The seeded traffic, its partitions redrawn over the topic's twelve. */
    static List<TestEvent> spreadOverPartitions(List<TestEvent> records) {
        Random random = new Random(17);
        List<TestEvent> spread = new ArrayList<>();
        for (TestEvent r : records) {
            spread.add(new TestEvent(random.nextInt(PARTITIONS), r.event(), r.rawBytes()));
        }
        return spread;
    }

    /**
     * The controller's defaults compressed 30×: 15 s rounds are 0.5 s, a 5 min cooldown 10 s, a 60
     * s expected restart 2 s.
     */
    static AutoscalerConfig controllerConfig(Mode mode, String topic, String group) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("KAFKA_TOPIC", topic);
        env.put("KAFKA_GROUP_ID", group);
        env.put("WATCH_NAMESPACE", NS);
        env.put("AUTOSCALER_MODE", mode.value());
        env.put("AUTOSCALER_INTERVAL", "500ms");
        env.put("AUTOSCALER_RATE_WINDOW", "5s");
        env.put("AUTOSCALER_MIN_PARALLELISM", "1");
        env.put("AUTOSCALER_MAX_PARALLELISM", Integer.toString(PARTITIONS));
        env.put("AUTOSCALER_CATCH_UP", "10s");
        env.put("AUTOSCALER_SCALE_UP_STABILISATION", "2s");
        env.put("AUTOSCALER_SCALE_DOWN_STABILISATION", "20s");
        env.put("AUTOSCALER_COOLDOWN", "10s");
        env.put("AUTOSCALER_LAG_NEAR_ZERO", "2s");
        env.put("AUTOSCALER_EXPECTED_RESTART", "2s");
        env.put("HTTP_PORT", "0");
        env.put("POD_NAME", "closed-loop");
        return AutoscalerConfig.from(env);
    }

    private void createDeployment(Mode mode, String jobId) throws Exception {
        String rest = cluster.getRestAddress().get().toString();
        String yaml =
                """
                apiVersion: flink.apache.org/v1beta1
                kind: FlinkDeployment
                metadata:
                  name: %s
                  namespace: %s
                  annotations:
                    %s: enabled
                    %s: "%s"
                spec:
                  flinkVersion: v1_20
                  flinkConfiguration:
                    jobmanager.scheduler: adaptive
                  job:
                    jarURI: local:///opt/flink/usrlib/streampulse-job.jar
                    parallelism: 1
                    upgradeMode: %s
                    state: running
                status:
                  lifecycleState: DEPLOYED
                  jobStatus:
                    jobId: %s
                    state: CREATED
                """
                        .formatted(
                                NAME,
                                NS,
                                Annotations.ENABLED,
                                Annotations.JOBMANAGER_URL,
                                rest,
                                mode == Mode.IN_PLACE ? "last-state" : "savepoint",
                                jobId);
        GenericKubernetesResource resource =
                client.getKubernetesSerialization()
                        .unmarshal(yaml, GenericKubernetesResource.class);
        client.genericKubernetesResources(FLINK_DEPLOYMENTS)
                .inNamespace(NS)
                .resource(resource)
                .create();
    }
}
