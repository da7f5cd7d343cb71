package com.streampulse.autoscaler.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobModelTest {

    /** Records processed in 300 s of a backlog far larger than the job can read. */
    static long processed(int parallelism, JobModel.Variant variant) {
        JobModel job = new JobModel(parallelism, 1, variant);
        job.step(1e9);
        for (int t = 1; t < 300; t++) {
            job.step(0);
        }
        return job.sample(Instant.EPOCH).committed().values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    @Test
    void partitionLimitedCapacityGainsNothingFromFiveSubtasksOverFour() {
        JobModel.Variant limited = new JobModel.Variant(true, 60);
        double four = processed(4, limited);
        assertThat(processed(5, limited) / four).isBetween(0.97, 1.03);
        assertThat(processed(6, limited) / four).isBetween(1.45, 1.55);
        assertThat(processed(5, JobModel.Variant.BASE) / four).isBetween(1.2, 1.3);
    }
}
