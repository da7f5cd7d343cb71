package com.streampulse.bench;

import java.util.Arrays;
import java.util.List;

/** Median, extremes and percentiles of a handful of measurements. */
public record Stats(double median, double min, double max) {

    public static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            return new Stats(Double.NaN, Double.NaN, Double.NaN);
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Stats(percentile(sorted, 50), sorted[0], sorted[sorted.length - 1]);
    }

    /**
     * The nearest-rank percentile of sorted values; the median of an even count is the mean of the
     * middle two, as usual.
     */
    public static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        if (p == 50 && sorted.length % 2 == 0) {
            return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public static double percentile(List<Double> values, double p) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return percentile(sorted, p);
    }
}
