package com.streampulse.bench;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.generator.AvroCodec;
import com.streampulse.generator.EventFactory;
import com.streampulse.generator.Outgoing;
import com.streampulse.generator.SyntheticOptions;
import com.streampulse.generator.SyntheticSource;
import com.streampulse.generator.WorkloadShape;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes benchmark events into Kafka with the generator's own classes (the bytes the original
 * producers send). Records are spread over the partitions round-robin rather than by the region
 * key's hash: nine regions hashed onto eight partitions leave some empty and the two readers
 * unevenly loaded, which would measure the key distribution instead of the job.
 */
public final class EventLoader {

    /** How many records were sent and how long it took. */
    public record Loaded(long records, double seconds) {
        double perSecond() {
            return records / seconds;
        }
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final int partitions;

    public EventLoader(KafkaProducer<byte[], byte[]> producer, int partitions) {
        this.producer = producer;
        this.partitions = partitions;
    }

    /**
     * {@code count} well-formed events, {@code rate} per second of event time from {@code start}.
     */
    public Loaded synthetic(String topic, long count, long seed, Instant start, double rate) {
        long began = System.nanoTime();
        SyntheticSource source = new SyntheticSource(SyntheticOptions.plain(seed, start, rate));
        for (long i = 0; i < count; i++) {
            send(topic, i, source.next());
        }
        producer.flush();
        return new Loaded(count, (System.nanoTime() - began) / 1e9);
    }

    /**
     * {@code count} events of {@code shape} (its dirty mix included), {@code rate} per second.
     * Written by one generator per core, each with a seed of its own and a share of the rate, on a
     * partition set of its own, so that every partition's event time still rises as one producer's
     * would and a large backlog loads in half the time. {@code wide} has one writer: its content
     * ids are the events' indexes, which would repeat across writers.
     */
    public Loaded shaped(
            String topic, WorkloadShape shape, long count, long seed, Instant start, double rate)
            throws InterruptedException {
        long began = System.nanoTime();
        int writers =
                shape == WorkloadShape.WIDE
                        ? 1
                        : Math.min(partitions, Runtime.getRuntime().availableProcessors());
        List<Thread> threads = new ArrayList<>();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            long share = count / writers + (w < count % writers ? 1 : 0);
            int[] owned =
                    IntStream.range(0, partitions).filter(p -> p % writers == writer).toArray();
            SyntheticSource source =
                    new SyntheticSource(shape.options(seed + w, start, rate / writers));
            Thread thread =
                    new Thread(
                            () -> {
                                try {
                                    for (long i = 0; i < share; i++) {
                                        Outgoing record = source.next();
                                        producer.send(
                                                new ProducerRecord<>(
                                                        topic,
                                                        owned[(int) (i % owned.length)],
                                                        record.keyBytes(),
                                                        record.value()));
                                    }
                                } catch (RuntimeException e) {
                                    failure.compareAndSet(null, e);
                                }
                            },
                            "backlog-writer-" + w);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        producer.flush();
        return new Loaded(count, (System.nanoTime() - began) / 1e9);
    }

    /**
     * {@code count} events of {@code shape} (its dirty mix included), event {@code i} due at {@code
     * start + i / rate}: its Kafka timestamp is that moment, as if a live producer had sent it then
     * (the job caps event time at the record's timestamp plus the out-of-orderness, so records
     * loaded ahead of time must carry the time they stand for).
     */
    public Loaded scheduled(
            String topic, WorkloadShape shape, long count, long seed, Instant start, double rate) {
        long began = System.nanoTime();
        SyntheticSource source = new SyntheticSource(shape.options(seed, start, rate));
        long startMillis = start.toEpochMilli();
        for (long i = 0; i < count; i++) {
            Outgoing record = source.next();
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            (int) (i % partitions),
                            startMillis + (long) (i * 1000.0 / rate),
                            record.keyBytes(),
                            record.value()));
        }
        producer.flush();
        return new Loaded(count, (System.nanoTime() - began) / 1e9);
    }

    /** {@code count} events of {@code shape} without its dirty mix: well-formed and on time. */
    public Loaded shapedClean(
            String topic, WorkloadShape shape, long count, long seed, Instant start, double rate) {
        long began = System.nanoTime();
        SyntheticSource source =
                new SyntheticSource(SyntheticOptions.plain(seed, start, rate).withShape(shape));
        for (long i = 0; i < count; i++) {
            send(topic, i, source.next());
        }
        producer.flush();
        return new Loaded(count, (System.nanoTime() - began) / 1e9);
    }

    /**
     * The scale data set: in each of {@code minutes} minutes from {@code start}, one event for each
     * of {@code keysPerMinute} distinct content ids (new ids every minute), evenly spread in time.
     */
    public Loaded distinctContent(
            String topic, int keysPerMinute, int minutes, long seed, Instant start) {
        long began = System.nanoTime();
        Random random = new Random(seed);
        AvroCodec codec = new AvroCodec();
        long i = 0;
        for (int minute = 0; minute < minutes; minute++) {
            long minuteStart = start.toEpochMilli() + minute * 60_000L;
            for (int k = 0; k < keysPerMinute; k++) {
                long ts = minuteStart + (long) k * 60_000L / keysPerMinute;
                ContentDownloadEvent event = EventFactory.create(random, ts, region -> false);
                event.getContent().setContentId("content-" + minute + "-" + k);
                String region = event.getUserContext().getRegion();
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                (int) (i++ % partitions),
                                region.getBytes(StandardCharsets.UTF_8),
                                codec.encode(event)));
            }
        }
        producer.flush();
        return new Loaded(i, (System.nanoTime() - began) / 1e9);
    }

    /** A few events stamped {@code at} on every partition: moves every partition's watermark. */
    public void marker(String topic, long seed, Instant at) {
        Random random = new Random(seed);
        AvroCodec codec = new AvroCodec();
        for (int p = 0; p < partitions; p++) {
            ContentDownloadEvent event = EventFactory.create(random, at.toEpochMilli(), r -> false);
            producer.send(new ProducerRecord<>(topic, p, null, codec.encode(event)));
        }
        producer.flush();
    }

    void send(String topic, long index, Outgoing record) {
        producer.send(
                new ProducerRecord<>(
                        topic, (int) (index % partitions), record.keyBytes(), record.value()));
    }
}
