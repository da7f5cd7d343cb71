package com.streampulse.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * CPU time and memory of this JVM over one measured run. Everything runs in this process (Kafka
 * broker, MiniCluster, the jobs) except PostgreSQL, which is a separate server process.
 *
 * <ul>
 *   <li>CPU: the process CPU time ({@code OperatingSystemMXBean}), all threads.
 *   <li>Peak heap: the most heap in use at any moment (sum of the pools' peaks), garbage included,
 *       and the most still in use right after a collection. That second figure overstates the live
 *       set: after a young collection the old generation still holds whatever died there since the
 *       last mixed or full one (a sustained run with sessions on read 2.1 GiB where {@code jmap
 *       -histo:live} found 210-330 MB of the job's objects). {@link #liveHeapAfterFullCollection}
 *       measures the live set itself, at one moment.
 *   <li>Peak RSS: {@code VmHWM} of /proc/self/status, reset at the start of each run by writing 5
 *       to /proc/self/clear_refs (where the kernel allows it, else it is the process's peak).
 * </ul>
 */
public final class ProcessMeter {

    /** One run's figures. */
    public record Usage(
            double cpuSeconds, long peakHeapBytes, long peakLiveHeapBytes, long peakRssBytes) {}

    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final AtomicLong PEAK_AFTER_GC = new AtomicLong();

    static {
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc)
                    .addNotificationListener(
                            (notification, handback) -> {
                                if (!GarbageCollectionNotificationInfo
                                        .GARBAGE_COLLECTION_NOTIFICATION
                                        .equals(notification.getType())) {
                                    return;
                                }
                                var info =
                                        GarbageCollectionNotificationInfo.from(
                                                (CompositeData) notification.getUserData());
                                long used =
                                        info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                                                .filter(e -> isHeapPool(e.getKey()))
                                                .map(java.util.Map.Entry::getValue)
                                                .mapToLong(MemoryUsage::getUsed)
                                                .sum();
                                PEAK_AFTER_GC.accumulateAndGet(used, Math::max);
                            },
                            null,
                            null);
        }
    }

    private final long startCpu;
    private final boolean rssReset;

    private ProcessMeter() {
        heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
        PEAK_AFTER_GC.set(0);
        rssReset = resetRssPeak();
        startCpu = OS.getProcessCpuTime();
    }

    public static ProcessMeter start() {
        return new ProcessMeter();
    }

    public Usage stop() {
        double cpu = (OS.getProcessCpuTime() - startCpu) / 1e9;
        long heap = heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return new Usage(cpu, heap, PEAK_AFTER_GC.get(), statusKb("VmHWM") * 1024);
    }

    /**
     * The heap still in use after a full collection, started now: the live set of everything in
     * this process at this moment (the jobs' buffers and heap state, the broker, the MiniCluster).
     * Stops every thread for the collection (a second or two for a few GiB), so a run calls it
     * once, after its measured time.
     */
    public static long liveHeapAfterFullCollection() {
        ManagementFactory.getMemoryMXBean().gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Whether the RSS peak was reset for this run (else it is the process's lifetime peak). */
    public boolean rssReset() {
        return rssReset;
    }

    private static boolean isHeapPool(String name) {
        return heapPools().stream().anyMatch(p -> p.getName().equals(name));
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .toList();
    }

    private static boolean resetRssPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A {@code kB} line of /proc/self/status, or -1 where there is none (not Linux). */
    static long statusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
