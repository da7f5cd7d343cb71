package com.streampulse.autoscaler.sim;

import java.util.List;
import java.util.Random;

/**
 * A load trace: the mean input rate at each second and the noise around it.
 *
 * @param name as printed
 * @param seconds length
 * @param shape mean records per second at second t
 * @param noise relative standard deviation of the per-second rate
 * @param drift relative amplitude of a slow random walk around the mean (noisy steady load)
 */
record Trace(String name, int seconds, Shape shape, double noise, double drift) {

    interface Shape {
        double rate(int t);
    }

    static final int MINUTE = 60;

    static List<Trace> all() {
        return List.of(
                new Trace("step x3", 90 * MINUTE, t -> t < 10 * MINUTE ? 1500 : 4500, 0.05, 0),
                new Trace(
                        "ramp",
                        100 * MINUTE,
                        t -> 1000 + 6000 * clamp((t - 10.0 * MINUTE) / (60.0 * MINUTE)),
                        0.05,
                        0),
                new Trace(
                        "spike",
                        90 * MINUTE,
                        t -> t >= 30 * MINUTE && t < 35 * MINUTE ? 8000 : 2000,
                        0.05,
                        0),
                new Trace("noisy steady", 180 * MINUTE, t -> 3500, 0.20, 0.15),
                new Trace(
                        "diurnal",
                        24 * 60 * MINUTE,
                        t -> 1000 + 5000 * (1 - Math.cos(2 * Math.PI * t / (24.0 * 3600))) / 2,
                        0.05,
                        0));
    }

    private static double clamp(double x) {
        return Math.max(0, Math.min(1, x));
    }

    /** Per-second input rates, the same for every scaler given the same seed. */
    double[] rates(long seed) {
        Random random = new Random(seed);
        double[] rates = new double[seconds];
        double walk = 0;
        for (int t = 0; t < seconds; t++) {
            // A mean-reverting walk: slow swings of about +-drift that never settle.
            walk += -walk / 600.0 + drift * random.nextGaussian() / Math.sqrt(300);
            double r = shape.rate(t) * (1 + walk) * (1 + noise * random.nextGaussian());
            rates[t] = Math.max(0, r);
        }
        return rates;
    }
}
