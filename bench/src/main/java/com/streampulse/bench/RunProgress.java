package com.streampulse.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One line per interval of a running job: where it stands against its schedule, how fast it read,
 * and where the time went (the busiest subtasks' busy / back-pressured ms per second, the threads
 * that used the most CPU). A job that falls behind while the cores are not saturated shows here
 * which subtask or thread is the serial section.
 */
final class RunProgress {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int SHOWN = 4;
    private static final Pattern SUBTASK = Pattern.compile("(\\(\\d+/\\d+\\)|#\\d+)(#\\d+)?$");

    private final String job;
    private long lastMillis;
    private long lastRead;
    private Map<Long, Long> lastThreadCpu;

    RunProgress(String job, long startMillis, long readAtStart) {
        this.job = job;
        this.lastMillis = startMillis;
        this.lastRead = readAtStart;
        this.lastThreadCpu = threadCpu();
    }

    /** Prints the line for the interval since the last call. */
    void print(long nowMillis, double secondsSinceStart, double behindMillis, double quotaShare) {
        long read = InProcessMetrics.recordsRead(job);
        double seconds = Math.max(1, nowMillis - lastMillis) / 1000.0;
        Map<Long, Long> cpu = threadCpu();
        Map<String, Double> busy = InProcessMetrics.perSubtask(job, "busyTimeMsPerSecond");
        Map<String, Double> pressured =
                InProcessMetrics.perSubtask(job, "backPressuredTimeMsPerSecond");
        String subtasks =
                busy.entrySet().stream()
                        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                        .limit(SHOWN)
                        .map(
                                e ->
                                        String.format(
                                                "%s %.0f/%.0f",
                                                shortName(e.getKey()),
                                                e.getValue(),
                                                pressured.getOrDefault(e.getKey(), 0.0)))
                        .collect(Collectors.joining(", "));
        Map<String, Double> threadCores = new HashMap<>();
        for (var t : THREADS.getThreadInfo(cpu.keySet().stream().mapToLong(l -> l).toArray())) {
            if (t != null) {
                long used =
                        cpu.getOrDefault(t.getThreadId(), 0L)
                                - lastThreadCpu.getOrDefault(t.getThreadId(), 0L);
                threadCores.merge(shortName(t.getThreadName()), used / 1e9 / seconds, Double::sum);
            }
        }
        String threads =
                threadCores.entrySet().stream()
                        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                        .limit(SHOWN)
                        .map(e -> String.format("%s %.2f", e.getKey(), e.getValue()))
                        .collect(Collectors.joining(", "));
        System.out.printf(
                "  %5.0f s: behind %6.1f s, read %,9.0f/s, quota x%.2f | busy/back-pressured ms/s:"
                        + " %s | thread cores: %s%n",
                secondsSinceStart,
                behindMillis / 1000,
                (read - lastRead) / seconds,
                quotaShare,
                subtasks,
                threads);
        lastMillis = nowMillis;
        lastRead = read;
        lastThreadCpu = cpu;
    }

    private static Map<Long, Long> threadCpu() {
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t >= 0) {
                cpu.put(id, t);
            }
        }
        return cpu;
    }

    /**
     * "Content windows -> Progress: ... (1/2)#0" to "Content windows (1/2)", "Source: Kafka: t
     * (Content windows: partials, ...) #1" to "Source: Kafka: t #1".
     */
    static String shortName(String name) {
        Matcher subtask = SUBTASK.matcher(name);
        String suffix = subtask.find() ? " " + subtask.group(1) : "";
        String head = name.split(" -> | \\(|, ")[0];
        return (head.length() > 28 ? head.substring(0, 28) : head) + suffix;
    }
}
