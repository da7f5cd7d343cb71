package com.streampulse.job.time;

import java.io.Serializable;
import java.util.Collection;

/**
 * Tells whether the log still holds records of a partition that this reader has not read. Event
 * time may run ahead of a quiet partition, or move with the wall clock, only when the answer is no:
 * a partition that is quiet because the job is slow (backpressure, a long GC pause, a stopped
 * process) or because its broker is unreachable still has records waiting, and those must not turn
 * LATE because of it.
 */
@FunctionalInterface
public interface BacklogProbe extends Serializable {

    /** For sources other than Kafka (tests): a quiet input is always caught up. */
    BacklogProbe NONE =
            () ->
                    new Session() {
                        @Override
                        public void request(Collection<Integer> partitions, long now) {}

                        @Override
                        public boolean caughtUp(int partition, long lastOffset, long lastArrival) {
                            return true;
                        }

                        @Override
                        public int partitionCount() {
                            return 0;
                        }

                        @Override
                        public void close() {}
                    };

    /** Opens the probe in a subtask. */
    Session open();

    /** One subtask's probe. Called from the task thread only. */
    interface Session extends AutoCloseable {

        /**
         * Asks, without blocking, where these partitions end now. Calls while a question is still
         * unanswered, or sooner than the probe's own interval, are ignored.
         */
        void request(Collection<Integer> partitions, long now);

        /**
         * True when an answer to a question asked after {@code lastArrival} (processing time of the
         * partition's last record) shows nothing after {@code lastOffset} but at most one
         * transaction marker. False without such an answer: a probe that cannot reach Kafka never
         * lets event time run ahead.
         */
        boolean caughtUp(int partition, long lastOffset, long lastArrival);

        /**
         * How many partitions the topic has: -1 while not known yet (event time then waits), 0 when
         * the source is not Kafka (event time then goes by the partitions read).
         */
        int partitionCount();

        @Override
        void close();
    }
}
