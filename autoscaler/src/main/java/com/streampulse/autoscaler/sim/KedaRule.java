package com.streampulse.autoscaler.sim;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * KEDA's Kafka scaler driving an HPA, as deployed by default: every 30 s, replicas = ceil(committed
 * lag / lagThreshold), capped at the partition count and the max; the HPA scales up at once (at
 * most double or +4 per step), down only to the highest recommendation of the last 5 minutes, and
 * ignores changes within its 10% tolerance.
 */
final class KedaRule implements Scaler {

    static final int POLL_SECONDS = 30;
    static final int DOWN_WINDOW_SECONDS = 300;
    static final double TOLERANCE = 0.1;

    private final long lagThreshold;
    private final int min;
    private final int max;
    private final Deque<int[]> recommendations = new ArrayDeque<>();

    KedaRule(long lagThreshold, int min, int max) {
        this.lagThreshold = lagThreshold;
        this.min = min;
        this.max = max;
    }

    @Override
    public String name() {
        return "KEDA";
    }

    @Override
    public int tick(int t, JobModel job) {
        int current = job.parallelism();
        if (t % POLL_SECONDS != 0) {
            return current;
        }
        double lag = job.committedLag();
        double ratio = lag / ((double) lagThreshold * current);
        int wanted =
                Math.abs(ratio - 1) <= TOLERANCE ? current : (int) Math.ceil(lag / lagThreshold);
        wanted = Math.max(min, Math.min(Math.min(max, JobModel.PARTITIONS), wanted));
        recommendations.addLast(new int[] {t, wanted});
        while (recommendations.peekFirst()[0] < t - DOWN_WINDOW_SECONDS) {
            recommendations.removeFirst();
        }
        if (wanted > current) {
            return Math.min(wanted, Math.max(current * 2, current + 4));
        }
        int highest = recommendations.stream().mapToInt(r -> r[1]).max().orElse(current);
        return Math.min(current, highest);
    }
}
