package com.streampulse.generator;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.generator.Outgoing.Kind;
import java.time.Duration;
import java.util.Iterator;
import java.util.Random;

/** An endless, seeded stream of records as {@link SyntheticOptions} describe. */
public final class SyntheticSource implements Iterator<Outgoing> {

    private final SyntheticOptions options;
    private final Random random;
    private final AvroCodec codec;
    private final long startMillis;
    private final long degradeFromMillis;
    private long index;

    /** Plain binary, as the original producers send. */
    public SyntheticSource(SyntheticOptions options) {
        this(options, new AvroCodec());
    }

    /** The same events in {@code codec}'s wire format: the encoding draws no random numbers. */
    public SyntheticSource(SyntheticOptions options, AvroCodec codec) {
        this.options = options;
        this.codec = codec;
        this.random = new Random(options.seed());
        this.startMillis = options.start().toEpochMilli();
        this.degradeFromMillis = startMillis + options.degradeAfter().toMillis();
    }

    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public Outgoing next() {
        long eventIndex = index++;
        long scheduled = startMillis + scheduleOffsetMillis(eventIndex);
        long timestamp = scheduled;
        Kind kind = Kind.VALID;
        if (options.lateFraction() > 0 && random.nextDouble() < options.lateFraction()) {
            timestamp -= options.lateBy().toMillis();
            kind = Kind.LATE;
        } else if (options.lateWithinFraction() > 0
                && random.nextDouble() < options.lateWithinFraction()) {
            // Late, but within the allowed lateness: the job counts it in its window.
            timestamp -= options.lateWithinBy().toMillis();
        } else if (!options.outOfOrder().isZero()) {
            timestamp -= (long) (random.nextDouble() * options.outOfOrder().toMillis());
        }
        boolean degradedNow = scheduled >= degradeFromMillis;
        ContentDownloadEvent event =
                options.shape()
                        .draw(
                                random,
                                timestamp,
                                eventIndex,
                                region ->
                                        degradedNow && options.degradedRegions().contains(region));
        if (options.demo() != null) {
            options.demo().apply(event, random, Duration.ofMillis(scheduled - startMillis));
        }
        String key = event.getUserContext().getRegion();
        if (options.malformedFraction() > 0 && random.nextDouble() < options.malformedFraction()) {
            return new Outgoing(
                    key, Corruption.corrupt(codec.encode(event), random), null, Kind.MALFORMED);
        }
        if (options.invalidFraction() > 0 && random.nextDouble() < options.invalidFraction()) {
            event = Invalidation.invalidate(event, random);
            kind = Kind.INVALID;
        }
        return new Outgoing(key, codec.encode(event), event, kind);
    }

    private long scheduleOffsetMillis(long i) {
        if (options.rate() <= 0) {
            return i;
        }
        return (long) Math.floor(i * 1000.0 / options.rate());
    }
}
