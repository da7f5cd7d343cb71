package com.streampulse.job.faults;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * A Flink session cluster of separate JVMs started from the test's classpath: JobManagers and
 * TaskManagers (one slot each) that a test can kill with SIGKILL, freeze with SIGSTOP and resume
 * with SIGCONT, as a node failure or a long GC pause would. Every process writes its log to {@code
 * <work>/<name>.log} and never outlives the test JVM.
 */
final class ProcessCluster implements AutoCloseable {

    private static final String JOB_MANAGER =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    /**
     * For waits that include starting JVMs: on this 2-core machine under a load average of 20 to 40
     * (other builds), three JVMs took up to 110 s from launch to the job's first checkpoint.
     */
    static final Duration STARTUP = Duration.ofMinutes(4);

    private final Path work;
    private final List<Process> processes = new ArrayList<>();

    /**
     * Writes the cluster's {@code config.yaml} under {@code work}: what Flink's start scripts
     * derive and pass on (the runner needs the memory settings), then {@code settings}, which win.
     */
    ProcessCluster(Path work, List<String> settings) throws IOException {
        this.work = work;
        Files.createDirectories(work.resolve("tmp"));
        List<String> lines =
                new ArrayList<>(
                        List.of(
                                "jobmanager.rpc.address: localhost",
                                "jobmanager.bind-host: localhost",
                                "rest.address: localhost",
                                "rest.bind-address: localhost",
                                "taskmanager.host: localhost",
                                "taskmanager.bind-host: localhost",
                                "taskmanager.numberOfTaskSlots: 1",
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
                                "io.tmp.dirs: " + work.resolve("tmp")));
        lines.addAll(settings);
        lines.add("");
        Files.writeString(work.resolve("config.yaml"), String.join("\n", lines));
    }

    Path work() {
        return work;
    }

    /** A JobManager (dispatcher, resource manager, REST) serving REST on {@code restPort}. */
    Process startJobManager(String name, int restPort) throws IOException {
        return launch(name, JOB_MANAGER, List.of(), List.of("-Drest.port=" + restPort));
    }

    /**
     * A TaskManager with one slot. {@code systemProperties} (e.g. {@code -Dx=y}) for its JVM; by
     * default {@link FaultyDeserializer} reads a record every 2.5 ms.
     */
    Process startTaskManager(String name, String... systemProperties) throws IOException {
        return launch(name, TASK_MANAGER, List.of(systemProperties), List.of());
    }

    /**
     * Submits once the JobManager answers; a JVM that is still starting refuses the first tries.
     */
    static JobClient submitWhenUp(StreamExecutionEnvironment env, StreamGraph graph)
            throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            try {
                return env.executeAsync(graph);
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    /** SIGSTOP: every thread of the process stops where it is, sockets stay open. */
    static void freeze(Process process) {
        signal("STOP", process.pid());
    }

    /** SIGCONT: a frozen process carries on where it stopped. */
    static void resume(Process process) {
        signal("CONT", process.pid());
    }

    /** Whether the process is stopped by a signal (state {@code T} in {@code /proc/<pid>/stat}). */
    static boolean isFrozen(Process process) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // "pid (comm) state ...": comm may hold spaces, the state follows its closing paren.
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'T';
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code kill -<signal> <pid>}; the JDK can only send SIGTERM and SIGKILL itself. */
    static void signal(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending SIG" + signal, e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Kills every process (a frozen one too: SIGKILL needs no SIGCONT) and waits for them. */
    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A JVM with the test's classpath and module options, its output in a log file. */
    private Process launch(
            String name, String mainClass, List<String> systemProperties, List<String> dynamic)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
                command.add(arg);
            }
        }
        command.add("-Xmx512m");
        // Four JVMs share two cores with the test: one GC thread and the quick compiler only.
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dfaults.pace.micros=2500");
        command.addAll(systemProperties); // after the defaults: the last -D of a name wins
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.add("--configDir");
        command.add(work.toString());
        command.addAll(dynamic);
        File log = work.resolve(name + ".log").toFile();
        Process process =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        processes.add(process);
        // Never outlive the test JVM, even when it is killed before close().
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        return process;
    }
}
