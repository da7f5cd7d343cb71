package com.streampulse.bench;

import com.streampulse.generator.SyntheticSource;
import com.streampulse.generator.WorkloadShape;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends events at a fixed rate, each stamped with the moment it is due: event time follows the wall
 * clock, as with live producers. Runs on its own thread until {@link #stop}.
 */
public final class PacedSender implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong maxBehindMillis = new AtomicLong();
    private final Thread thread;
    private final Instant start;

    /** Events of {@code shape}, its dirty mix included. */
    public PacedSender(
            EventLoader loader, String topic, WorkloadShape shape, long seed, double rate) {
        this.start = Instant.now();
        SyntheticSource source = new SyntheticSource(shape.options(seed, start, rate));
        this.thread =
                new Thread(
                        () -> {
                            long startMillis = start.toEpochMilli();
                            long i = 0;
                            while (running.get()) {
                                long now = System.currentTimeMillis();
                                long due = (long) ((now - startMillis) * rate / 1000.0);
                                long behind = (long) ((due - i) * 1000.0 / rate);
                                maxBehindMillis.accumulateAndGet(behind, Math::max);
                                while (i < due && running.get()) {
                                    loader.send(topic, i++, source.next());
                                }
                                sent.set(i);
                                try {
                                    Thread.sleep(5);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        },
                        "paced-sender");
        thread.setDaemon(true);
        thread.start();
    }

    public Instant start() {
        return start;
    }

    public long sent() {
        return sent.get();
    }

    /** How far the sender fell behind its schedule at worst (it stamps events when due). */
    public long maxBehindMillis() {
        return maxBehindMillis.get();
    }

    public void stop() throws InterruptedException {
        running.set(false);
        thread.join();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
