package com.streampulse.autoscaler.sim;

import com.streampulse.autoscaler.collect.OffsetSample;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A Flink job reading a Kafka topic: each parallel instance processes up to {@code capacity}
 * records per second (with noise, and no more instances than partitions do work); a rescale stops
 * processing for {@code restartSeconds} and resumes from the last checkpoint; offsets are committed
 * to Kafka only when a checkpoint completes.
 *
 * <p>Two capacity models ({@link Variant}): linear in the parallelism, or limited by partitions per
 * subtask (the busiest subtask reads ceil(partitions / p) of them, so 5 subtasks on 12 partitions
 * go no faster than 4).
 */
public final class JobModel {

    static final double CAPACITY = 1000;
    static final int PARTITIONS = 12;
    static final int RESTART_SECONDS = 60;
    static final int CHECKPOINT_SECONDS = 30;
    static final double CAPACITY_NOISE = 0.05;

    /** The model's assumptions that the policy must not depend on. */
    public record Variant(boolean partitionLimited, int restartSeconds) {
        public static final Variant BASE = new Variant(false, RESTART_SECONDS);

        static List<Variant> all() {
            return List.of(
                    BASE,
                    new Variant(false, 180),
                    new Variant(true, RESTART_SECONDS),
                    new Variant(true, 180));
        }

        String label() {
            return (partitionLimited ? "partition-limited" : "linear")
                    + ", "
                    + restartSeconds
                    + " s";
        }
    }

    private final Random random;
    private final Variant variant;
    private double end;
    private double position;
    private double committed;
    private int parallelism;
    private int downtimeLeft;
    private int sinceCheckpoint;
    private final FlinkCounters counters = new FlinkCounters();

    /**
     * What Flink's own metrics count since the job last started (they restart with it): records
     * read by the source, and the summed busy milliseconds of its busiest subtask and of all
     * subtasks. The operator's autoscaler reads these (busyTimeMsPerSecond, numRecordsIn).
     */
    static final class FlinkCounters {
        int starts;
        long secondsRunning;
        double recordsIn;
        double busiestBusyMs;
        double totalBusyMs;

        void reset() {
            starts++;
            secondsRunning = 0;
            recordsIn = 0;
            busiestBusyMs = 0;
            totalBusyMs = 0;
        }
    }

    public JobModel(int parallelism, long seed) {
        this(parallelism, seed, Variant.BASE);
    }

    JobModel(int parallelism, long seed, Variant variant) {
        this.parallelism = parallelism;
        this.random = new Random(seed);
        this.variant = variant;
        this.sinceCheckpoint = firstCheckpointPhase();
    }

    /**
     * Flink's CheckpointCoordinator starts its periodic checkpoints after a random initial delay
     * (up to one interval), so a (re)started job's commits fall at a random phase. A fixed phase
     * locked them to every rule that polls at a multiple of 30 s from a rescale: KEDA then read the
     * committed lag the second after each commit, near zero, and scaled 12 -> 1 -> 5 -> 10 -> 12,
     * every step but the last while the job was restarting.
     */
    private int firstCheckpointPhase() {
        return random.nextInt(CHECKPOINT_SECONDS);
    }

    /** One second: records arrive, the job processes what it can, maybe a checkpoint commits. */
    public void step(double arriving) {
        end += arriving;
        if (downtimeLeft > 0) {
            downtimeLeft--;
            return;
        }
        double perInstance = CAPACITY * Math.max(0, 1 + CAPACITY_NOISE * random.nextGaussian());
        double can = perInstance * effectiveInstances();
        double processed = Math.min(end - position, can);
        position += processed;
        // The busiest subtask is busy for the share of the capacity used (it limits the rest);
        // all subtasks together for the records over what one instance can do.
        counters.secondsRunning++;
        counters.recordsIn += processed;
        counters.busiestBusyMs += can > 0 ? 1000 * processed / can : 0;
        counters.totalBusyMs += perInstance > 0 ? 1000 * processed / perInstance : 0;
        if (++sinceCheckpoint >= CHECKPOINT_SECONDS) {
            sinceCheckpoint = 0;
            committed = position;
        }
    }

    private double effectiveInstances() {
        int working = Math.min(parallelism, PARTITIONS);
        if (!variant.partitionLimited()) {
            return working;
        }
        int busiest = (PARTITIONS + working - 1) / working;
        return (double) PARTITIONS / busiest;
    }

    /** The operator upgrades the job: it stops, and restarts from the last checkpoint. */
    public void rescale(int newParallelism) {
        parallelism = newParallelism;
        downtimeLeft = variant.restartSeconds();
        position = committed;
        sinceCheckpoint = firstCheckpointPhase();
        counters.reset();
    }

    /** Flink's counters since the job last started; read-only for the metric collectors. */
    FlinkCounters counters() {
        return counters;
    }

    public boolean running() {
        return downtimeLeft == 0;
    }

    public int parallelism() {
        return parallelism;
    }

    /** Records not yet processed: what a reader waits for. */
    double trueLag() {
        return end - position;
    }

    /** What Kafka shows: end offsets and committed offsets, spread evenly over the partitions. */
    public OffsetSample sample(Instant time) {
        Map<Integer, Long> ends = new HashMap<>();
        Map<Integer, Long> commits = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            ends.put(p, share(end, p));
            commits.put(p, share(committed, p));
        }
        return new OffsetSample(time, ends, commits);
    }

    long committedLag() {
        long lag = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            lag += share(end, p) - share(committed, p);
        }
        return lag;
    }

    private static long share(double total, int partition) {
        long whole = (long) total;
        return whole / PARTITIONS + (partition < whole % PARTITIONS ? 1 : 0);
    }
}
