package com.streampulse.job.trending;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.StreamPulseJob;
import java.util.Arrays;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

/** The keys of the job's trending buckets, spread evenly over the key groups. */
class BucketKeysTest {

    private static final int BUCKETS = StreamPulseJob.TRENDING_BUCKETS;
    private static final int MAX_PARALLELISM = StreamPulseJob.MAX_PARALLELISM;

    @Test
    void everyBucketHasItsOwnKeyGroupAtEvenSteps() {
        int[] keys = TrendingBuckets.keys(BUCKETS, MAX_PARALLELISM);

        int step = MAX_PARALLELISM / BUCKETS;
        for (int b = 0; b < BUCKETS; b++) {
            assertThat(KeyGroupRangeAssignment.assignToKeyGroup(keys[b], MAX_PARALLELISM))
                    .as("bucket %d", b)
                    .isEqualTo(b * step);
        }
    }

    @Test
    void bucketsSpreadEvenlyOverTheSubtasksAtEveryParallelismUpToTheirNumber() {
        int[] keys = TrendingBuckets.keys(BUCKETS, MAX_PARALLELISM);

        for (int parallelism = 1; parallelism <= BUCKETS; parallelism++) {
            int[] perSubtask = new int[parallelism];
            for (int key : keys) {
                perSubtask[
                        KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                key, MAX_PARALLELISM, parallelism)]++;
            }
            int fewest = Arrays.stream(perSubtask).min().getAsInt();
            int most = Arrays.stream(perSubtask).max().getAsInt();
            assertThat(most - fewest).as("parallelism %d", parallelism).isLessThanOrEqualTo(1);
        }
    }
}
