package com.streampulse.generator;

import java.util.Arrays;
import java.util.Random;

/**
 * Draws ranks 1..n with probability proportional to 1 / rank^s: a few titles take most downloads
 * and a long tail takes the rest, as in a real catalogue. The cumulative weights are computed once,
 * so a draw is one binary search.
 */
public final class ZipfSampler {

    private final double[] cumulative;

    public ZipfSampler(int n, double exponent) {
        if (n < 1 || !(exponent > 0)) {
            throw new IllegalArgumentException("n and the exponent must be positive");
        }
        cumulative = new double[n];
        double sum = 0;
        for (int rank = 1; rank <= n; rank++) {
            sum += 1 / Math.pow(rank, exponent);
            cumulative[rank - 1] = sum;
        }
        for (int i = 0; i < n; i++) {
            cumulative[i] /= sum;
        }
    }

    /** A rank from 1 to n. */
    int sample(Random random) {
        return rankAt(random.nextDouble());
    }

    /** The rank (1 to n) that a uniform draw {@code u} in [0, 1) stands for. */
    public int rankAt(double u) {
        int i = Arrays.binarySearch(cumulative, u);
        // Rounding may leave the last cumulative weight a hair under 1.
        return Math.min(i >= 0 ? i : -i - 1, cumulative.length - 1) + 1;
    }

    /** The probability of {@code rank}, for tests. */
    double probability(int rank) {
        return cumulative[rank - 1] - (rank == 1 ? 0 : cumulative[rank - 2]);
    }
}
