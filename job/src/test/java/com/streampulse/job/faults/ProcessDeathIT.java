package com.streampulse.job.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.it.Pipeline;
import com.streampulse.job.it.RandomTraffic;
import com.streampulse.job.it.Sent;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real process death: a Flink session cluster of separate JVMs started from the test's classpath
 * (one JobManager, two TaskManagers with one slot each), the job at parallelism 2 across both, one
 * TaskManager killed with SIGKILL mid-stream and a replacement started, as Kubernetes would. The
 * tables must end exactly as a failure-free run computes them.
 */
class ProcessDeathIT {

    private static final int RECORDS = 2_000;

    private static Pipeline pipeline;
    private static Path work;
    private static int restPort;
    private static int rpcPort;
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        pipeline = new Pipeline();
        work = Files.createTempDirectory("process-death");
        restPort = freePort();
        rpcPort = freePort();
        Files.writeString(
                work.resolve("config.yaml"),
                String.join(
                        "\n",
                        "jobmanager.rpc.address: localhost",
                        "jobmanager.rpc.port: " + rpcPort,
                        "jobmanager.bind-host: localhost",
                        "rest.address: localhost",
                        "rest.bind-address: localhost",
                        "rest.port: " + restPort,
                        "taskmanager.host: localhost",
                        "taskmanager.bind-host: localhost",
                        "taskmanager.numberOfTaskSlots: 1",
                        // What Flink's start scripts derive and pass on: the runner needs them.
                        "taskmanager.cpu.cores: 1",
                        "taskmanager.memory.task.heap.size: 192m",
                        "taskmanager.memory.task.off-heap.size: 0m",
                        "taskmanager.memory.network.min: 32m",
                        "taskmanager.memory.network.max: 32m",
                        "taskmanager.memory.managed.size: 128m",
                        "taskmanager.memory.framework.heap.size: 128m",
                        "taskmanager.memory.framework.off-heap.size: 128m",
                        "taskmanager.memory.jvm-metaspace.size: 256m",
                        "taskmanager.memory.jvm-overhead.min: 192m",
                        "taskmanager.memory.jvm-overhead.max: 192m",
                        "jobmanager.memory.process.size: 768m",
                        "heartbeat.interval: 1000",
                        "heartbeat.timeout: 5000",
                        "io.tmp.dirs: " + work.resolve("tmp"),
                        ""));
        Files.createDirectories(work.resolve("tmp"));
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    @AfterEach
    void killAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigkillOfATaskManagerProcessChangesNoResult() throws Exception {
        String topic = pipeline.reset();
        List<Sent> sent = pipeline.send(RandomTraffic.records(new Random(71), RECORDS));
        JobConfig config =
                FaultRun.config(pipeline, Files.createTempDirectory(work, "checkpoints"));

        processes.add(
                launch(
                        "jobmanager",
                        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"));
        Process victim =
                launch("taskmanager-1", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
        processes.add(victim);
        processes.add(
                launch("taskmanager-2", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"));

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment("localhost", restPort);
        env.setParallelism(2);
        StreamPulseJob.configure(env, config);
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 100);
        restarts.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        env.configure(restarts);
        var source =
                StreamPulseJob.kafkaSourceBuilder(config.kafka())
                        .setBounded(OffsetsInitializer.latest())
                        .setDeserializer(new FaultyDeserializer())
                        .build();
        new StreamPulseJob(config, source, pipeline.sinks(config)).build(env);
        JobClient job = submitWhenClusterIsUp(env);

        // Offsets are committed to Kafka when a checkpoint completes: a third of them committed
        // means checkpoints with progress exist and results have been written since.
        assertThat(
                        FaultRun.await(
                                () -> committed(config.kafka().groupId()) >= RECORDS / 3,
                                FaultRun.TIMEOUT))
                .as("a third of the records checkpointed")
                .isTrue();
        long committedAtKill = committed(config.kafka().groupId());
        victim.destroyForcibly(); // SIGKILL
        assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
        processes.add(
                launch("taskmanager-3", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"));

        job.getJobExecutionResult().get(FaultRun.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(victim.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        assertThat(committedAtKill).as("killed mid-stream").isLessThan(RECORDS);
        assertThat(pipeline.snapshot().toString())
                .as("TaskManager process killed with SIGKILL, topic %s", topic)
                .isEqualTo(RandomTraffic.expected(config, sent).toString());
    }

    private static JobClient submitWhenClusterIsUp(StreamExecutionEnvironment env)
            throws Exception {
        long deadline = System.nanoTime() + FaultRun.TIMEOUT.toNanos();
        while (true) {
            try {
                return env.executeAsync("process-death");
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private long committed(String group) {
        try (Admin admin = Admin.create(pipeline.kafka().clientProperties())) {
            Map<?, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
        } catch (Exception e) {
            return 0;
        }
    }

    /** A JVM with the test's classpath and JVM options, its output in a log file. */
    private static Process launch(String name, String mainClass) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
                command.add(arg);
            }
        }
        command.add("-Xmx512m");
        command.add("-Dfaults.pace.micros=2500");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.add("--configDir");
        command.add(work.toString());
        File log = work.resolve(name + ".log").toFile();
        Process process =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        // Never outlive the test JVM, even when it is killed before @AfterEach.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
