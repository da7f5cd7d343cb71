package com.streampulse.autoscaler.sim;

/**
 * What one scaler did on one trace.
 *
 * @param rescales parallelism changes
 * @param reversals a rescale in the opposite direction of the one before it
 * @param shortestReversalGap seconds between the closest such pair (MAX_VALUE if none)
 * @param peakLag most records ever waiting
 * @param lagSeconds integral of waiting records over time, in record-seconds
 * @param longestBacklog longest stretch (s) with more than 10 s of input waiting: the time to drain
 * @param overSlotSeconds integral of parallelism beyond ceil(input / capacity), in slot-seconds
 * @param finalParallelism at the end of the trace
 * @param slotSeconds integral of the parallelism over time: what the job cost
 * @param unevenSeconds seconds processed at a parallelism that spreads the partitions unevenly (the
 *     only time the two capacity models differ)
 */
record RunResult(
        int rescales,
        int reversals,
        int shortestReversalGap,
        double peakLag,
        double lagSeconds,
        int longestBacklog,
        double overSlotSeconds,
        int finalParallelism,
        double slotSeconds,
        int unevenSeconds) {

    static RunResult run(Trace trace, Scaler scaler, int initialParallelism, long seed) {
        return run(trace, scaler, initialParallelism, seed, JobModel.Variant.BASE);
    }

    static RunResult run(
            Trace trace,
            Scaler scaler,
            int initialParallelism,
            long seed,
            JobModel.Variant variant) {
        double[] rates = trace.rates(seed);
        JobModel job = new JobModel(initialParallelism, seed + 1, variant);
        double slotSeconds = 0;
        int rescales = 0;
        int reversals = 0;
        int shortestGap = Integer.MAX_VALUE;
        int lastDirection = 0;
        int lastRescaleAt = -1;
        double peakLag = 0;
        double lagSeconds = 0;
        int backlog = 0;
        int longestBacklog = 0;
        double over = 0;
        int uneven = 0;
        for (int t = 0; t < trace.seconds(); t++) {
            job.step(rates[t]);
            int wanted = scaler.tick(t, job);
            if (wanted != job.parallelism()) {
                int direction = Integer.signum(wanted - job.parallelism());
                if (lastDirection != 0 && direction != lastDirection) {
                    reversals++;
                    shortestGap = Math.min(shortestGap, t - lastRescaleAt);
                }
                lastDirection = direction;
                lastRescaleAt = t;
                rescales++;
                job.rescale(wanted);
            }
            double lag = job.trueLag();
            peakLag = Math.max(peakLag, lag);
            lagSeconds += lag;
            double mean = trace.shape().rate(t);
            backlog = lag > mean * 10 ? backlog + 1 : 0;
            longestBacklog = Math.max(longestBacklog, backlog);
            over += Math.max(0, job.parallelism() - Math.ceil(mean / JobModel.CAPACITY));
            slotSeconds += job.parallelism();
            if (job.running()
                    && JobModel.PARTITIONS % Math.min(job.parallelism(), JobModel.PARTITIONS)
                            != 0) {
                uneven++;
            }
        }
        return new RunResult(
                rescales,
                reversals,
                shortestGap,
                peakLag,
                lagSeconds,
                longestBacklog,
                over,
                job.parallelism(),
                slotSeconds,
                uneven);
    }
}
