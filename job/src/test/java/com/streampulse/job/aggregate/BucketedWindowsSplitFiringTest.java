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
import org.apache.flink.streaming.api.operators.SimpleUdfStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
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
 * the bucket that is firing, before the next bucket fires, instead of after the whole watermark;
 * and a partial handled in between, for a bucket whose firing is still to come, counts that
 * bucket's pending sums.
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
        try (StreamTaskMailboxTestHarness<String> task = task(0, new Recorder())) {
            fireTwoKeysOfEachBucket(task);
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

    @Test
    void aPartialBetweenTwoBucketsFiringsCountsThePendingSumsOfTheBucketStillToFire()
            throws Exception {
        EVENTS.clear();
        try (StreamTaskMailboxTestHarness<String> task = task(MINUTE, new LateInjector())) {
            fireTwoKeysOfEachBucket(task);
        }

        // The first bucket fires; the partial sent meanwhile for the other bucket's first key is a
        // late update: its row counts the pending partial too; then the other bucket fires.
        List<String> first = keysOfBucket(bucketOf(EVENTS.get(0)));
        List<String> second = keysOfBucket(1 - bucketOf(EVENTS.get(0)));
        assertThat(EVENTS).hasSize(5);
        assertThat(Set.copyOf(EVENTS.subList(0, 2)))
                .containsExactlyInAnyOrder(
                        "fired " + first.get(0) + " 1", "fired " + first.get(1) + " 1");
        assertThat(EVENTS.get(2)).isEqualTo("fired " + second.get(0) + " 2");
        assertThat(Set.copyOf(EVENTS.subList(3, 5)))
                .containsExactlyInAnyOrder(
                        "fired " + second.get(0) + " 2", "fired " + second.get(1) + " 1");
    }

    /** The bucket of 2 of the key in a "fired key total" event. */
    private static int bucketOf(String event) {
        return TrendingBuckets.bucket(event.split(" ")[1], 2);
    }

    /**
     * Two partials of each bucket's keys in window [0, 1 min), then the watermark that fires it.
     */
    private static void fireTwoKeysOfEachBucket(StreamTaskMailboxTestHarness<String> task)
            throws Exception {
        mailbox = task.getStreamTask().getMailboxExecutorFactory().createExecutor(0);
        for (int i = 0; i < 2; i++) {
            task.processElement(new StreamRecord<>(partial(keysOfBucket(0).get(i)), MINUTE - 1));
            task.processElement(new StreamRecord<>(partial(keysOfBucket(1).get(i)), MINUTE - 1));
        }
        task.processElement(new Watermark(MINUTE - 1));
        task.processAll();
    }

    /**
     * A task running the windows with unaligned checkpoints and split timers; a partial sent
     * between two firings is only kept with some lateness.
     */
    private static StreamTaskMailboxTestHarness<String> task(
            long lateness, ProcessWindowFunction<WindowCounts, String, String, TimeWindow> results)
            throws Exception {
        return new StreamTaskMailboxTestHarnessBuilder<>(OneInputStreamTask::new, Types.STRING)
                .modifyStreamConfig(
                        config -> {
                            config.setCheckpointingEnabled(true);
                            config.setUnalignedCheckpointsEnabled(true);
                            config.setUnalignedCheckpointsSplittableTimersEnabled(true);
                        })
                .setKeyType(Types.INT)
                .addInput(
                        TypeInformation.of(WindowCounts.class), 1, BucketedWindows.buckets(KEY, 2))
                .setupOperatorChain(
                        new Running(
                                new BucketedWindows<>(
                                        MINUTE,
                                        lateness,
                                        KEY,
                                        results,
                                        new OutputTag<>(
                                                "dropped",
                                                TypeInformation.of(WindowCounts.class)))))
                .name("windows")
                .finishForSingletonOperatorChain(StringSerializer.INSTANCE)
                .build();
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

    /** The operator the task runs (the factory reaches the task as a copy), to hand it a record. */
    private static BucketedWindows<String> running;

    private static final class Running extends SimpleUdfStreamOperatorFactory<String> {

        private static final long serialVersionUID = 1L;

        Running(BucketedWindows<String> operator) {
            super(operator);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T extends StreamOperator<String>> T createStreamOperator(
                StreamOperatorParameters<String> parameters) {
            T operator = super.createStreamOperator(parameters);
            running = (BucketedWindows<String>) operator;
            return operator;
        }
    }

    /**
     * Records each firing with its total; on the first, puts in the mailbox a mail that hands the
     * operator a partial of the other bucket's first key, as if it arrived between the firings.
     */
    private static final class LateInjector
            extends ProcessWindowFunction<WindowCounts, String, String, TimeWindow> {

        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                String key, Context context, Iterable<WindowCounts> sums, Collector<String> out) {
            EVENTS.add("fired " + key + " " + sums.iterator().next().total);
            if (EVENTS.size() == 1) {
                String other = keysOfBucket(1 - TrendingBuckets.bucket(key, 2)).get(0);
                StreamRecord<WindowCounts> record = new StreamRecord<>(partial(other), MINUTE - 1);
                mailbox.execute(
                        () -> {
                            running.setKeyContextElement1(record);
                            running.processElement(record);
                        },
                        "partial");
            }
            out.collect(key);
        }
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
