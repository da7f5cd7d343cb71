package com.streampulse.generator;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a synthetic run draws. Event {@code i} is stamped {@code start + i / rate} (1 ms apart when
 * the rate is unlimited), so event time follows the wall clock while the sender keeps up, and a
 * fixed seed and start time reproduce a run exactly.
 *
 * @param rate events per second of event time; 0 or less means unlimited
 * @param degradedRegions regions that turn bad from {@code start + degradeAfter} on
 * @param outOfOrder how far back an event may be stamped at random; zero for in-order
 * @param lateFraction share of events stamped {@code lateBy} in the past
 * @param malformedFraction share of records that are not decodable Avro
 * @param invalidFraction share of events that decode but are invalid
 * @param shape the key counts events are drawn from
 * @param lateWithinFraction share of events stamped {@code lateWithinBy} in the past: late, but
 *     within the allowed lateness when {@code lateWithinBy} is shorter than it
 * @param demo the demo's surge, drift and returning users on top; null for none
 */
public record SyntheticOptions(
        long seed,
        Instant start,
        double rate,
        List<String> degradedRegions,
        Duration degradeAfter,
        Duration outOfOrder,
        double lateFraction,
        Duration lateBy,
        double malformedFraction,
        double invalidFraction,
        WorkloadShape shape,
        double lateWithinFraction,
        Duration lateWithinBy,
        DemoTraffic demo) {

    /** The original producer's catalogue, without late-within events. */
    public SyntheticOptions(
            long seed,
            Instant start,
            double rate,
            List<String> degradedRegions,
            Duration degradeAfter,
            Duration outOfOrder,
            double lateFraction,
            Duration lateBy,
            double malformedFraction,
            double invalidFraction) {
        this(
                seed,
                start,
                rate,
                degradedRegions,
                degradeAfter,
                outOfOrder,
                lateFraction,
                lateBy,
                malformedFraction,
                invalidFraction,
                WorkloadShape.TINY,
                0,
                Duration.ZERO,
                null);
    }

    public SyntheticOptions {
        degradedRegions = List.copyOf(degradedRegions);
        for (String region : degradedRegions) {
            if (Catalogue.region(region) == null) {
                throw new IllegalArgumentException(
                        "unknown region '"
                                + region
                                + "'; one of "
                                + Catalogue.REGIONS.stream().map(Catalogue.Region::name).toList());
            }
        }
        checkFraction("late fraction", lateFraction);
        checkFraction("malformed fraction", malformedFraction);
        checkFraction("invalid fraction", invalidFraction);
        checkFraction("late-within fraction", lateWithinFraction);
        if (degradeAfter.isNegative()
                || outOfOrder.isNegative()
                || lateBy.isNegative()
                || lateWithinBy.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }

    private static void checkFraction(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1, got " + value);
        }
    }

    /** Plain, well-behaved traffic. */
    public static SyntheticOptions plain(long seed, Instant start, double rate) {
        return new SyntheticOptions(
                seed,
                start,
                rate,
                List.of(),
                Duration.ZERO,
                Duration.ZERO,
                0,
                Duration.ofMinutes(10),
                0,
                0);
    }

    public SyntheticOptions withDegraded(List<String> regions, Duration after) {
        return new SyntheticOptions(
                seed,
                start,
                rate,
                regions,
                after,
                outOfOrder,
                lateFraction,
                lateBy,
                malformedFraction,
                invalidFraction,
                shape,
                lateWithinFraction,
                lateWithinBy,
                demo);
    }

    public SyntheticOptions withBadInput(double malformed, double invalid) {
        return new SyntheticOptions(
                seed,
                start,
                rate,
                degradedRegions,
                degradeAfter,
                outOfOrder,
                lateFraction,
                lateBy,
                malformed,
                invalid,
                shape,
                lateWithinFraction,
                lateWithinBy,
                demo);
    }

    public SyntheticOptions withDisorder(Duration maxOutOfOrder, double late, Duration by) {
        return new SyntheticOptions(
                seed,
                start,
                rate,
                degradedRegions,
                degradeAfter,
                maxOutOfOrder,
                late,
                by,
                malformedFraction,
                invalidFraction,
                shape,
                lateWithinFraction,
                lateWithinBy,
                demo);
    }

    public SyntheticOptions withShape(WorkloadShape newShape) {
        return new SyntheticOptions(
                seed,
                start,
                rate,
                degradedRegions,
                degradeAfter,
                outOfOrder,
                lateFraction,
                lateBy,
                malformedFraction,
                invalidFraction,
                newShape,
                lateWithinFraction,
                lateWithinBy,
                demo);
    }

    public SyntheticOptions withDemo(DemoTraffic traffic) {
        return new SyntheticOptions(
                seed,
                start,
                rate,
                degradedRegions,
                degradeAfter,
                outOfOrder,
                lateFraction,
                lateBy,
                malformedFraction,
                invalidFraction,
                shape,
                lateWithinFraction,
                lateWithinBy,
                traffic);
    }

    public SyntheticOptions withLateWithin(double fraction, Duration by) {
        return new SyntheticOptions(
                seed,
                start,
                rate,
                degradedRegions,
                degradeAfter,
                outOfOrder,
                lateFraction,
                lateBy,
                malformedFraction,
                invalidFraction,
                shape,
                fraction,
                by,
                demo);
    }
}
