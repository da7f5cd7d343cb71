package com.streampulse.job.records;

/**
 * Partial sums of one key in one window: what crosses the network instead of events, and the
 * accumulator of the final window aggregation. Every field is a whole number, so merging partials
 * in any order gives the same result. Mutable on purpose: it is updated once per event.
 *
 * <p>{@code key} is the content id, the region, or the device; {@code detail} is the title for
 * content, the OS version for devices, and empty for regions.
 *
 * <p>The {@code onTime} fields count again the events that arrived before their window closed:
 * which events those are depends only on the order of records within each Kafka partition, so the
 * alert verdict of a window's first firing is the same in every run (see {@link #onTime()}).
 */
public class WindowCounts {

    /** The three ways the job slices events. */
    public enum Dimension {
        CONTENT,
        REGION,
        DEVICE
    }

    public Dimension dimension;
    public String key;
    public String detail;
    public long windowStart;
    public long total;
    public long successful;
    public long failed;
    public long durationSecondsSum;
    public long speedMicrosSum;
    public long successfulSizeMb;
    public long onTimeTotal;
    public long onTimeSuccessful;
    public long onTimeSpeedMicrosSum;

    /**
     * The Kafka offsets a partial was read from ({@code partition:first-last,...}), set by the
     * pre-aggregator; only read if the windows drop the partial, and null in the windows' own sums.
     */
    public String sources;

    public WindowCounts() {}

    public WindowCounts(Dimension dimension, String key, String detail, long windowStart) {
        this.dimension = dimension;
        this.key = key;
        this.detail = detail;
        this.windowStart = windowStart;
    }

    public void add(Download d) {
        total++;
        durationSecondsSum += d.durationSeconds();
        speedMicrosSum += d.speedMicros();
        switch (d.status()) {
            case SUCCESS -> {
                successful++;
                successfulSizeMb += d.sizeMb();
            }
            case FAILED -> failed++;
            case CANCELLED -> {}
        }
        if (!d.late()) {
            onTimeTotal++;
            onTimeSpeedMicrosSum += d.speedMicros();
            if (d.status() == Download.Status.SUCCESS) {
                onTimeSuccessful++;
            }
        }
    }

    public WindowCounts merge(WindowCounts other) {
        if (key == null) {
            dimension = other.dimension;
            key = other.key;
            windowStart = other.windowStart;
        }
        // Titles are constant per content id in practice; taking the smaller keeps the result
        // independent of merge order if a producer ever changes one mid-window.
        if (detail == null || (other.detail != null && other.detail.compareTo(detail) < 0)) {
            detail = other.detail;
        }
        total += other.total;
        successful += other.successful;
        failed += other.failed;
        durationSecondsSum += other.durationSecondsSum;
        speedMicrosSum += other.speedMicrosSum;
        successfulSizeMb += other.successfulSizeMb;
        onTimeTotal += other.onTimeTotal;
        onTimeSuccessful += other.onTimeSuccessful;
        onTimeSpeedMicrosSum += other.onTimeSpeedMicrosSum;
        return this;
    }

    /**
     * The counts of the on-time events alone, as far as the alert rules read them (total,
     * successful, speed): what the window's first firing is judged by in every run.
     */
    public WindowCounts onTime() {
        WindowCounts c = new WindowCounts(dimension, key, detail, windowStart);
        c.total = onTimeTotal;
        c.successful = onTimeSuccessful;
        c.speedMicrosSum = onTimeSpeedMicrosSum;
        return c;
    }

    /** True when some of the counts came from late updates. */
    public boolean hasLateUpdates() {
        return total > onTimeTotal;
    }

    public double successRate() {
        return total == 0 ? 0.0 : (double) successful / total;
    }

    /**
     * Share of downloads that did not succeed. Computed from whole numbers, so 1 of 10 is exactly
     * the double {@code 0.1} and compares exactly with a threshold of 0.10.
     */
    public double errorRate() {
        return total == 0 ? 0.0 : (double) (total - successful) / total;
    }

    public double averageSpeedMbps() {
        return total == 0 ? 0.0 : speedMicrosSum / 1_000_000.0 / total;
    }

    public double averageDurationSeconds() {
        return total == 0 ? 0.0 : (double) durationSecondsSum / total;
    }

    /** Size of the successful downloads in GB (1 GB = 1024 MB, as the original). */
    public double successfulSizeGb() {
        return successfulSizeMb / 1024.0;
    }

    @Override
    public String toString() {
        return "WindowCounts{"
                + dimension
                + " "
                + key
                + (detail == null || detail.isEmpty() ? "" : "/" + detail)
                + " @"
                + windowStart
                + " total="
                + total
                + " ok="
                + successful
                + " failed="
                + failed
                + " onTime="
                + onTimeTotal
                + "}";
    }
}
