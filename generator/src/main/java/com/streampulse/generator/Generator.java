package com.streampulse.generator;

import com.streampulse.generator.Outgoing.Kind;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The send loop: takes records from a source, paces them to a rate, hands each to every sink,
 * prints a progress line now and then, and stops at a count, a duration, the end of the source or
 * {@link #stop()}. Used by the CLI and, in process, by {@code make run}.
 */
public final class Generator {

    /** What a run sent. */
    public record Summary(Map<Kind, Long> byKind, Duration elapsed) {

        public long total() {
            return byKind.values().stream().mapToLong(Long::longValue).sum();
        }

        public long count(Kind kind) {
            return byKind.getOrDefault(kind, 0L);
        }

        public String describe() {
            double seconds = Math.max(elapsed.toMillis(), 1) / 1000.0;
            return String.format(
                    "%,d records in %.1f s (%,.0f/s): %,d valid, %,d late, %,d invalid, %,d"
                            + " malformed",
                    total(),
                    seconds,
                    total() / seconds,
                    count(Kind.VALID),
                    count(Kind.LATE),
                    count(Kind.INVALID),
                    count(Kind.MALFORMED));
        }
    }

    private final Iterator<Outgoing> source;
    private final List<RecordSink> sinks;
    private final double rate;
    private final long maxCount;
    private final Duration maxDuration;
    private final Duration progressEvery;
    private final PrintStream progress;
    private final Map<Kind, Long> sent = new EnumMap<>(Kind.class);
    private volatile boolean stopped;
    private volatile long total;

    /**
     * @param rate records per second; 0 or less sends as fast as the sinks take them
     * @param maxCount stop after this many records; 0 or less for no limit
     * @param maxDuration stop after this long; null for no limit
     * @param progressEvery how often to print a progress line; null for never
     */
    public Generator(
            Iterator<Outgoing> source,
            List<RecordSink> sinks,
            double rate,
            long maxCount,
            Duration maxDuration,
            Duration progressEvery,
            PrintStream progress) {
        this.source = source;
        this.sinks = List.copyOf(sinks);
        this.rate = rate;
        this.maxCount = maxCount;
        this.maxDuration = maxDuration;
        this.progressEvery = progressEvery;
        this.progress = progress;
    }

    /** Sends until a limit is reached or {@link #stop()} is called; flushes every sink. */
    public Summary run() {
        long startNanos = System.nanoTime();
        long deadline = maxDuration == null ? Long.MAX_VALUE : startNanos + maxDuration.toNanos();
        long nextProgress =
                progressEvery == null ? Long.MAX_VALUE : startNanos + progressEvery.toNanos();
        long count = 0;
        Instant lastEventTime = null;
        while (!stopped && (maxCount <= 0 || count < maxCount) && source.hasNext()) {
            long now = pace(startNanos, count);
            if (now >= deadline) {
                break;
            }
            Outgoing record = source.next();
            for (RecordSink sink : sinks) {
                sink.send(record);
            }
            sent.merge(record.kind(), 1L, Long::sum);
            if (record.event() != null) {
                lastEventTime = record.event().getTimestamp();
            }
            total = ++count;
            if (now >= nextProgress) {
                printProgress(count, now - startNanos, lastEventTime);
                nextProgress = now + progressEvery.toNanos();
            }
        }
        for (RecordSink sink : sinks) {
            sink.flush();
        }
        return new Summary(new EnumMap<>(sent), Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /** Waits until record {@code index} is due; returns the time. */
    private long pace(long startNanos, long index) {
        long now = System.nanoTime();
        if (rate <= 0) {
            return now;
        }
        long due = startNanos + (long) (index * 1_000_000_000.0 / rate);
        // Sleeping for less than a millisecond costs more than it paces; batch those.
        while (due - now > 1_000_000 && !stopped) {
            LockSupport.parkNanos(due - now);
            if (Thread.interrupted()) {
                stopped = true;
            }
            now = System.nanoTime();
        }
        return now;
    }

    private void printProgress(long count, long elapsedNanos, Instant lastEventTime) {
        double seconds = elapsedNanos / 1e9;
        progress.printf(
                "📤 Sent %,d events (%,.0f/s) | %,d invalid, %,d malformed, %,d late | event time"
                        + " %s%n",
                count,
                count / seconds,
                sent.getOrDefault(Kind.INVALID, 0L),
                sent.getOrDefault(Kind.MALFORMED, 0L),
                sent.getOrDefault(Kind.LATE, 0L),
                lastEventTime);
    }

    /** Asks a running {@link #run()} to return soon; safe from any thread, and twice. */
    public void stop() {
        stopped = true;
    }

    /** Records handed to the sinks so far (from any thread). */
    public long sentSoFar() {
        return total;
    }
}
