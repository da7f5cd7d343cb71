package com.streampulse.autoscaler.sim;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * KEDA's Kafka scaler driving an HPA: every 30 s, replicas = ceil(committed lag / lagThreshold),
 * capped at the partition count and the max; the HPA scales up (at most double or +4 per step) to
 * the lowest recommendation of its scale-up window (0 s by default: at once), down only to the
 * highest recommendation of its scale-down window (300 s by default), and ignores changes within
 * its 10% tolerance. The two windows are the HPA's {@code behavior} fields.
 */
final class KedaRule implements Scaler {

    static final int POLL_SECONDS = 30;
    static final int DOWN_WINDOW_SECONDS = 300;
    static final double TOLERANCE = 0.1;

    private final long lagThreshold;
    private final int min;
    private final int max;
    private final int upWindow;
    private final int downWindow;
    private final Deque<int[]> recommendations = new ArrayDeque<>();

    KedaRule(long lagThreshold, int min, int max) {
        this(lagThreshold, min, max, 0, DOWN_WINDOW_SECONDS);
    }

    /** A fresh rule (its own recommendation history) with the settings of {@code other}. */
    KedaRule(KedaRule other) {
        this(other.lagThreshold, other.min, other.max, other.upWindow, other.downWindow);
    }

    KedaRule(long lagThreshold, int min, int max, int upWindow, int downWindow) {
        this.lagThreshold = lagThreshold;
        this.min = min;
        this.max = max;
        this.upWindow = upWindow;
        this.downWindow = downWindow;
    }

    @Override
    public String name() {
        return "KEDA";
    }

    /** The settings, for the tables. */
    String settings() {
        return "lagThreshold "
                + lagThreshold / 1000
                + "k, up "
                + upWindow
                + " s, down "
                + downWindow
                + " s";
    }

    @Override
    public int tick(int t, JobModel job) {
        int current = job.parallelism();
        if (t % POLL_SECONDS != 0) {
            return current;
        }
        if (recommendations.isEmpty()) {
            // The HPA records the current replicas as its first recommendation when it first sees
            // the target (recordInitialRecommendation in the Kubernetes HPA controller), so its
            // first round cannot scale down past its window.
            recommendations.addLast(new int[] {t, current});
        }
        double lag = job.committedLag();
        double ratio = lag / ((double) lagThreshold * current);
        int wanted =
                Math.abs(ratio - 1) <= TOLERANCE ? current : (int) Math.ceil(lag / lagThreshold);
        wanted = Math.max(min, Math.min(Math.min(max, JobModel.PARTITIONS), wanted));
        recommendations.addLast(new int[] {t, wanted});
        while (recommendations.peekFirst()[0] < t - Math.max(upWindow, downWindow)) {
            recommendations.removeFirst();
        }
        int lowestUp =
                recommendations.stream()
                        .filter(r -> r[0] >= t - upWindow)
                        .mapToInt(r -> r[1])
                        .min()
                        .orElse(wanted);
        if (lowestUp > current) {
            return Math.min(lowestUp, Math.max(current * 2, current + 4));
        }
        int highest =
                recommendations.stream()
                        .filter(r -> r[0] >= t - downWindow)
                        .mapToInt(r -> r[1])
                        .max()
                        .orElse(current);
        return Math.min(current, highest);
    }
}
