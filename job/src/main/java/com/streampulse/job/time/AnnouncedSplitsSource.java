package com.streampulse.job.time;

import com.streampulse.job.records.Ingested;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The Kafka source, with each reader announcing every partition it is given ({@link
 * Ingested#assigned}) before that partition's first record, so event time holds back for exactly
 * the partitions this subtask reads.
 *
 * <p>Why not predict it: the enumerator's round robin decides only fresh assignments. A job
 * restored at another parallelism gets its partitions back from the readers' checkpointed splits,
 * spread by Flink's state redistribution, and a subtask that waited on a partition another one
 * reads would never let its windows close. Enumerator, splits and their state are the connector's
 * own, so savepoints are unchanged.
 */
public final class AnnouncedSplitsSource
        implements Source<Ingested, KafkaPartitionSplit, KafkaSourceEnumState>,
                ResultTypeQueryable<Ingested> {

    private static final long serialVersionUID = 1L;

    private final KafkaSource<Ingested> kafka;

    public AnnouncedSplitsSource(KafkaSource<Ingested> kafka) {
        this.kafka = kafka;
    }

    @Override
    public Boundedness getBoundedness() {
        return kafka.getBoundedness();
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) {
        return kafka.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState state)
            throws IOException {
        return kafka.restoreEnumerator(context, state);
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return kafka.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return kafka.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return kafka.getProducedType();
    }

    @Override
    public SourceReader<Ingested, KafkaPartitionSplit> createReader(SourceReaderContext context)
            throws Exception {
        return new Reader(kafka.createReader(context));
    }

    /** Emits the announcements first, then whatever the connector's reader has. */
    private static final class Reader implements SourceReader<Ingested, KafkaPartitionSplit> {

        private final SourceReader<Ingested, KafkaPartitionSplit> kafka;
        private final Queue<KafkaPartitionSplit> unannounced = new ArrayDeque<>();

        /**
         * Completed when splits arrive, so a task waiting for records of the partitions it already
         * has wakes up to announce the new ones (an empty partition may never have a record).
         */
        private CompletableFuture<Void> splitsArrived = new CompletableFuture<>();

        Reader(SourceReader<Ingested, KafkaPartitionSplit> kafka) {
            this.kafka = kafka;
        }

        @Override
        public void start() {
            kafka.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<Ingested> output) throws Exception {
            KafkaPartitionSplit split = unannounced.poll();
            if (split == null) {
                return kafka.pollNext(output);
            }
            output.collect(Ingested.assigned(split.getPartition(), split.getStartingOffset()));
            return InputStatus.MORE_AVAILABLE;
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            if (!unannounced.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            if (splitsArrived.isDone()) {
                splitsArrived = new CompletableFuture<>();
            }
            return CompletableFuture.anyOf(kafka.isAvailable(), splitsArrived)
                    .thenApply(ignored -> null);
        }

        @Override
        public void addSplits(List<KafkaPartitionSplit> splits) {
            unannounced.addAll(splits);
            kafka.addSplits(splits);
            splitsArrived.complete(null);
        }

        @Override
        public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
            return kafka.snapshotState(checkpointId);
        }

        @Override
        public void notifyNoMoreSplits() {
            kafka.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent sourceEvent) {
            kafka.handleSourceEvents(sourceEvent);
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
            kafka.pauseOrResumeSplits(toPause, toResume);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            kafka.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            kafka.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void close() throws Exception {
            kafka.close();
        }
    }
}
