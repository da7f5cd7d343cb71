package com.streampulse.job.time;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Asks the brokers for the end offsets of the partitions a subtask reads, with the Admin client, at
 * most once per interval and only while some partition is quiet: nothing runs while records flow.
 *
 * <p>A partition counts as caught up when its end offset is at most one past the next offset to
 * read: the one allowed is the commit marker a transactional producer leaves after its last record.
 */
public final class KafkaBacklogProbe implements BacklogProbe {

    private static final long serialVersionUID = 1L;

    /** Commit markers of transactional producers take an offset but are never read. */
    private static final long MARKERS = 1;

    private final String topic;
    private final Properties clientProperties;
    private final long intervalMillis;

    public KafkaBacklogProbe(String topic, Properties clientProperties, long intervalMillis) {
        this.topic = topic;
        this.clientProperties = clientProperties;
        this.intervalMillis = intervalMillis;
    }

    @Override
    public Session open() {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "streampulse-backlog-probe");
        // A question to an unreachable broker fails soon instead of hanging; the answer is then
        // simply "not caught up" until a later question succeeds.
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        KafkaSession session = new KafkaSession(Admin.create(props));
        session.askPartitionCount();
        return session;
    }

    /** An end offset and when the question that found it was asked. */
    private record Answer(long endOffset, long askedAt) {}

    private final class KafkaSession implements Session {

        private final Admin admin;
        private final Map<Integer, Answer> answers = new ConcurrentHashMap<>();
        private final AtomicBoolean asking = new AtomicBoolean();
        private final AtomicBoolean askingCount = new AtomicBoolean();
        private volatile int partitionCount = -1;
        private long lastAsked = Long.MIN_VALUE;

        KafkaSession(Admin admin) {
            this.admin = admin;
        }

        @Override
        public void request(Collection<Integer> partitions, long now) {
            boolean askedRecently = lastAsked != Long.MIN_VALUE && now - lastAsked < intervalMillis;
            if (partitions.isEmpty() || askedRecently || !asking.compareAndSet(false, true)) {
                return;
            }
            lastAsked = now;
            Map<TopicPartition, OffsetSpec> question = new HashMap<>();
            for (int partition : partitions) {
                question.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
            admin.listOffsets(question)
                    .all()
                    .whenComplete(
                            (ends, error) -> {
                                if (error == null) {
                                    ends.forEach(
                                            (tp, end) ->
                                                    answers.put(
                                                            tp.partition(),
                                                            new Answer(end.offset(), now)));
                                }
                                asking.set(false);
                            });
        }

        void askPartitionCount() {
            if (!askingCount.compareAndSet(false, true)) {
                return;
            }
            admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .whenComplete(
                            (topics, error) -> {
                                if (error == null) {
                                    partitionCount = topics.get(topic).partitions().size();
                                }
                                askingCount.set(false);
                            });
        }

        @Override
        public int partitionCount() {
            if (partitionCount < 0) {
                askPartitionCount(); // the first answer failed: ask again
            }
            return partitionCount;
        }

        @Override
        public boolean caughtUp(int partition, long lastOffset, long lastArrival) {
            Answer answer = answers.get(partition);
            return answer != null
                    && answer.askedAt() >= lastArrival
                    && answer.endOffset() <= lastOffset + 1 + MARKERS;
        }

        @Override
        public void close() {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
