package com.streampulse.bench;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * Discards; when it closes, records the CPU time of its thread under {@code run}. Chained to the
 * operator being measured, that thread is the operator's task thread, so the figure is the task's
 * own CPU time, which holds on a loaded machine where wall-clock rates do not. The benchmarks run
 * the job on an in-process MiniCluster, so the figure is read back in the same JVM.
 */
record ThreadCpuSink<T>(String run) implements Sink<T> {

    private static final Map<String, Long> CPU_BY_RUN = new ConcurrentHashMap<>();

    /** The CPU nanoseconds recorded for {@code run}, or null if no sink of that run closed. */
    static Long take(String run) {
        return CPU_BY_RUN.remove(run);
    }

    @Override
    @SuppressWarnings("deprecation") // the method Flink 1.20 still requires
    public SinkWriter<T> createWriter(InitContext context) {
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context c) {}

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {
                CPU_BY_RUN.put(run, ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
            }
        };
    }
}
