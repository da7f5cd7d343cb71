package com.streampulse.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.records.WindowCounts.Dimension;
import com.streampulse.job.trending.TrendingBuckets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.OneInputStreamTask;
import org.apache.flink.streaming.runtime.tasks.StreamTaskMailboxTestHarness;
import org.apache.flink.streaming.runtime.tasks.StreamTaskMailboxTestHarnessBuilder;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * {@link BucketedWindows} in a real stream task with unaligned checkpoints and interruptible timers
 * on: a mail that arrives while a window fires (a checkpoint barrier's, in production) runs after
 * the bucket that is firing, before the next bucket fires, instead of after the whole watermark.
 */
class BucketedWindowsSplitFiringTest {

    private static final long MINUTE = 60_000;
    private static final KeySelector<WindowCounts, String> KEY = c -> c.key;

    /** What happened, in order, on the task's thread. */
    private static final List<String> EVENTS = new ArrayList<>();

    private static MailboxExecutor mailbox;

    @Test
    void aMailWaitsForOneBucketsFiringNotTheWholeWatermark() throws Exception {
        List<String> bucketZero = keysOfBucket(0);
        List<String> bucketOne = keysOfBucket(1);
        EVENTS.clear();
        try (StreamTaskMailboxTestHarness<String> task =
                new StreamTaskMailboxTestHarnessBuilder<>(OneInputStreamTask::new, Types.STRING)
                        .modifyStreamConfig(
                                config -> {
                                    config.setCheckpointingEnabled(true);
                                    config.setUnalignedCheckpointsEnabled(true);
                                    config.setUnalignedCheckpointsSplittableTimersEnabled(true);
                                })
                        .setKeyType(Types.INT)
                        .addInput(
                                TypeInformation.of(WindowCounts.class),
                                1,
                                BucketedWindows.buckets(KEY, 2))
                        .setupOperatorChain(
                                SimpleOperatorFactory.of(
                                        new BucketedWindows<>(
                                                MINUTE,
                                                0,
                                                KEY,
                                                new Recorder(),
                                                new OutputTag<>(
                                                        "dropped",
                                                        TypeInformation.of(WindowCounts.class)))))
                        .name("windows")
                        .finishForSingletonOperatorChain(StringSerializer.INSTANCE)
                        .build()) {
            mailbox = task.getStreamTask().getMailboxExecutorFactory().createExecutor(0);
            for (int i = 0; i < 2; i++) {
                task.processElement(new StreamRecord<>(partial(bucketZero.get(i)), MINUTE - 1));
                task.processElement(new StreamRecord<>(partial(bucketOne.get(i)), MINUTE - 1));
            }
            task.processElement(new Watermark(MINUTE - 1));
            task.processAll();
        }

        // One bucket's keys fire in one go (one timer), then the mails they sent run, then the
        // other bucket fires. Without the split, all four rows would come before any mail.
        assertThat(EVENTS).hasSize(8);
        assertThat(List.of(EVENTS.get(2), EVENTS.get(3), EVENTS.get(6), EVENTS.get(7)))
                .containsOnly("mail");
        assertThat(
                        List.of(
                                Set.of(EVENTS.get(0), EVENTS.get(1)),
                                Set.of(EVENTS.get(4), EVENTS.get(5))))
                .containsExactlyInAnyOrder(fired(bucketZero), fired(bucketOne));
    }

    private static Set<String> fired(List<String> keys) {
        return keys.stream().map(k -> "fired " + k).collect(Collectors.toSet());
    }

    /** Two content ids that fall into {@code bucket} of 2. */
    private static List<String> keysOfBucket(int bucket) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < 2; i++) {
            if (TrendingBuckets.bucket("mov_" + i, 2) == bucket) {
                keys.add("mov_" + i);
            }
        }
        return keys;
    }

    private static WindowCounts partial(String key) {
        WindowCounts c = new WindowCounts(Dimension.CONTENT, key, "", 0);
        c.total = 1;
        c.onTimeTotal = 1;
        return c;
    }

    /** Records each firing and, like a barrier arriving meanwhile, puts a mail in the mailbox. */
    private static final class Recorder
            extends ProcessWindowFunction<WindowCounts, String, String, TimeWindow> {

        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                String key, Context context, Iterable<WindowCounts> sums, Collector<String> out) {
            EVENTS.add("fired " + key);
            mailbox.execute(() -> EVENTS.add("mail"), "mail");
            out.collect(key);
        }
    }
}
