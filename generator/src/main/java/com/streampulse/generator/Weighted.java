package com.streampulse.generator;

import java.util.List;
import java.util.Random;

/** Picks one of a fixed list of items in proportion to integer weights. */
final class Weighted<T> {

    private final List<T> items;
    private final int[] cumulative;

    Weighted(List<T> items, int[] weights) {
        if (items.size() != weights.length || items.isEmpty()) {
            throw new IllegalArgumentException("one weight per item, at least one item");
        }
        this.items = List.copyOf(items);
        this.cumulative = new int[weights.length];
        int sum = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] <= 0) {
                throw new IllegalArgumentException("weights must be positive");
            }
            sum += weights[i];
            cumulative[i] = sum;
        }
    }

    /** Every item equally likely. */
    static <T> Weighted<T> uniform(List<T> items) {
        int[] weights = new int[items.size()];
        java.util.Arrays.fill(weights, 1);
        return new Weighted<>(items, weights);
    }

    T pick(Random random) {
        int r = random.nextInt(cumulative[cumulative.length - 1]);
        for (int i = 0; i < cumulative.length; i++) {
            if (r < cumulative[i]) {
                return items.get(i);
            }
        }
        throw new AssertionError("unreachable");
    }

    /** The probability of item {@code i}, for tests and documentation. */
    double probability(int i) {
        int previous = i == 0 ? 0 : cumulative[i - 1];
        return (cumulative[i] - previous) / (double) cumulative[cumulative.length - 1];
    }

    List<T> items() {
        return items;
    }
}
