package com.streampulse.job.ingest;

import com.streampulse.job.records.Download;
import com.streampulse.job.records.Ingested;
import com.streampulse.job.records.RejectedEvent;
import com.streampulse.job.records.RejectedEvent.Reason;
import java.time.Instant;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every Kafka record into exactly one {@link Ingested}: a valid download, or a MALFORMED or
 * INVALID rejection with its coordinates and raw bytes. Never throws, so no input can stop the job.
 *
 * <p>Two wire formats: plain Avro binary of the original schema (the default, {@link
 * EventDecoder}), and Avro single-object encoding of any schema version kept in {@code
 * schemas/versions/} ({@link SingleObjectDecoder}).
 *
 * <p>The verdict is a function of the record alone (its bytes and its Kafka timestamp), never of
 * when it is read: a replay after a failure rejects exactly what the first attempt rejected.
 */
public final class DownloadDeserializer implements KafkaRecordDeserializationSchema<Ingested> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(DownloadDeserializer.class);

    /** PostgreSQL's TIMESTAMPTZ can't hold every long; out-of-range event times are left null. */
    private static final long LATEST_STORABLE =
            Instant.parse("9999-12-31T23:59:59Z").toEpochMilli();

    private static final long EARLIEST_STORABLE =
            Instant.parse("0001-01-01T00:00:00Z").toEpochMilli();

    /**
     * Loads every schema version before the first record: a job jar without them fails its tasks at
     * start, not on the first single-object record.
     */
    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        LOG.info("Single-object encoding: known writer schemas {}", SingleObjectDecoder.known());
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out) {
        out.collect(
                ingest(
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp(),
                        record.value()));
    }

    /** The whole decision for one record, as a pure function (tests call it directly). */
    public static Ingested ingest(
            String topic, int partition, long offset, long logTimestamp, byte[] value) {
        DecodedEvent event;
        try {
            // Plain binary of the original schema is the default and takes the fast path; the
            // two-byte marker test is all it pays for the other format.
            event =
                    SingleObjectDecoder.isSingleObject(value)
                            ? SingleObjectDecoder.decode(value)
                            : EventDecoder.decode(value);
        } catch (MalformedEventException e) {
            return Ingested.rejected(
                    new RejectedEvent(
                            topic,
                            partition,
                            offset,
                            Reason.MALFORMED,
                            e.getMessage(),
                            null,
                            value));
        }
        String problem = EventValidator.problem(event, logTimestamp);
        if (problem != null) {
            return Ingested.rejected(
                    new RejectedEvent(
                            topic,
                            partition,
                            offset,
                            Reason.INVALID,
                            problem,
                            storableTime(event.timestamp()),
                            value));
        }
        Download download =
                EventValidator.toDownload(event, partition, offset, logTimestamp, value);
        return Ingested.valid(download);
    }

    static Long storableTime(long millis) {
        return millis >= EARLIEST_STORABLE && millis <= LATEST_STORABLE ? millis : null;
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return TypeInformation.of(Ingested.class);
    }
}
