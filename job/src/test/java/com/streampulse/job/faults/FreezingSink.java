package com.streampulse.job.faults;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * A production sink whose TaskManager freezes itself (SIGSTOP to its own JVM) just before it hands
 * the first matching row to the sink's writer: the moment a long GC pause would make a zombie out
 * of it with a row in hand, rows in its JDBC batch and its flush timer armed.
 *
 * <p>Only a JVM started with {@code -Dfaults.freeze=true} freezes, once; every other TaskManager
 * passes rows straight through. Before it freezes, it writes the row to {@code
 * <faults.freeze.note>} so the test knows which row the zombie still holds.
 *
 * <p>Why freeze from inside: SIGSTOP sent from outside lands at an arbitrary point, and the sink
 * flushes every second and on every checkpoint, so whether the zombie holds any row at all would be
 * chance. Freezing before the write (not after it) makes it certain: the row cannot have been
 * flushed by the timer thread in the instant before the stop takes effect.
 *
 * <p>The wrapper exposes only {@link SinkWriter}: write, flush before every checkpoint barrier,
 * close. That is all an at-least-once {@code JdbcSink} does (its committables and writer state are
 * empty unless it runs exactly-once).
 */
final class FreezingSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    static final String ARMED = "faults.freeze";
    static final String NOTE = "faults.freeze.note";

    /** One freeze per JVM, whichever of its sinks sees the first matching row. */
    private static final AtomicBoolean FROZEN = new AtomicBoolean();

    /** A serializable row test, shipped with the job graph. */
    interface Rows<T> extends Predicate<T>, Serializable {}

    private final Sink<T> delegate;
    private final Rows<T> freezeBefore;

    FreezingSink(Sink<T> delegate, Rows<T> freezeBefore) {
        this.delegate = delegate;
        this.freezeBefore = freezeBefore;
    }

    @Override
    @SuppressWarnings("deprecation") // the JDBC connector 3.3 still implements this variant
    public SinkWriter<T> createWriter(InitContext context) throws IOException {
        SinkWriter<T> writer = delegate.createWriter(context);
        return new SinkWriter<>() {
            @Override
            public void write(T row, Context rowContext) throws IOException, InterruptedException {
                if (Boolean.getBoolean(ARMED)
                        && freezeBefore.test(row)
                        && FROZEN.compareAndSet(false, true)) {
                    freezeThisJvm(row);
                }
                writer.write(row, rowContext);
            }

            @Override
            public void flush(boolean endOfInput) throws IOException, InterruptedException {
                writer.flush(endOfInput);
            }

            @Override
            public void writeWatermark(Watermark watermark)
                    throws IOException, InterruptedException {
                writer.writeWatermark(watermark);
            }

            @Override
            public void close() throws Exception {
                writer.close();
            }
        };
    }

    /** Returns once the JVM has been resumed with SIGCONT. */
    private static void freezeThisJvm(Object row) throws IOException {
        String note = System.getProperty(NOTE);
        if (note != null) {
            Files.writeString(Path.of(note), row.toString());
        }
        Process kill =
                new ProcessBuilder("kill", "-STOP", Long.toString(ProcessHandle.current().pid()))
                        .start();
        try {
            kill.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            // Resumed and cancelled at once: still hand the row on, as the paused thread would.
            Thread.currentThread().interrupt();
        }
    }
}
