package com.streampulse.job.anomaly;

/**
 * Exponentially weighted mean and variance of one metric (West's incremental form): recent windows
 * weigh more, old ones fade, so the baseline follows slow drift without storing any history.
 *
 * @param samples how many windows it has learned from (for the warm-up)
 */
public record Ewma(long samples, double mean, double variance) {

    public static final Ewma EMPTY = new Ewma(0, 0.0, 0.0);

    /** This baseline after learning {@code value} with weight {@code alpha} (0 < alpha ≤ 1). */
    public Ewma learn(double value, double alpha) {
        if (samples == 0) {
            return new Ewma(1, value, 0.0);
        }
        double diff = value - mean;
        double increment = alpha * diff;
        return new Ewma(samples + 1, mean + increment, (1 - alpha) * (variance + diff * increment));
    }

    /**
     * The standard deviation, but never below {@code floor}: a flat history is not infinitely sure.
     */
    public double sigma(double floor) {
        return Math.max(Math.sqrt(variance), floor);
    }
}
