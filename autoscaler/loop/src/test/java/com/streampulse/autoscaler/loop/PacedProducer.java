package com.streampulse.autoscaler.loop;

import com.streampulse.job.it.Sent;
import com.streampulse.job.it.TestEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.DoubleUnaryOperator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends prepared records at a rate that follows a load trace (records per second as a function of
 * seconds since start), on a thread of its own, and keeps where each landed for the oracle.
 */
final class PacedProducer implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final List<TestEvent> records;
    private final DoubleUnaryOperator trace;
    private final double seconds;
    private final List<Future<RecordMetadata>> acks = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stop;
    private volatile long startNanos;

    PacedProducer(
            Properties kafka,
            String topic,
            List<TestEvent> records,
            DoubleUnaryOperator trace,
            double seconds) {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        props.put("linger.ms", "5");
        this.producer = new KafkaProducer<>(props);
        this.topic = topic;
        this.records = records;
        this.trace = trace;
        this.seconds = seconds;
        this.thread = new Thread(this::run, "paced-producer");
        thread.setDaemon(true);
    }

    void start() {
        startNanos = System.nanoTime();
        thread.start();
    }

    /** Seconds since the trace started. */
    double elapsed() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    boolean done() {
        return !thread.isAlive();
    }

    private void run() {
        double owed = 0;
        double last = 0;
        int next = 0;
        while (!stop && next < records.size()) {
            double t = elapsed();
            if (t >= seconds) {
                break;
            }
            owed += trace.applyAsDouble(t) * (t - last);
            last = t;
            while (owed >= 1 && next < records.size()) {
                TestEvent r = records.get(next++);
                acks.add(
                        producer.send(
                                new ProducerRecord<>(topic, r.partition(), r.key(), r.value())));
                owed--;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
        producer.flush();
    }

    /** Waits for the trace to end; what was sent, with the offsets where it landed. */
    List<Sent> await() throws InterruptedException {
        thread.join();
        List<Sent> sent = new ArrayList<>();
        try {
            for (int i = 0; i < acks.size(); i++) {
                RecordMetadata m = acks.get(i).get();
                sent.add(
                        new Sent(
                                records.get(i),
                                m.topic(),
                                m.partition(),
                                m.offset(),
                                m.timestamp()));
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("A record was not acknowledged", e);
        }
        return sent;
    }

    /** Ends the trace early: nothing more is sent. */
    void finish() {
        stop = true;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join();
        producer.close();
    }
}
