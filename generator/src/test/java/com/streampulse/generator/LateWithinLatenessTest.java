package com.streampulse.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.generator.Outgoing.Kind;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The catalog shape's late-within events stay within the lateness the job is configured with. */
class LateWithinLatenessTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aShorterLatenessPullsTheLateWithinEventsInsideIt() {
        SyntheticOptions options =
                WorkloadShape.CATALOG
                        .options(42, START, 10_000)
                        .lateWithinInside(Duration.ofMinutes(1));

        assertThat(options.lateWithinBy()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.lateWithinFraction()).isEqualTo(0.005);
        // Every valid event lies less than a minute behind the newest one before it, and the
        // late-within ones are there: the job with 1 minute of lateness counts all of them.
        SyntheticSource source = new SyntheticSource(options);
        long newest = Long.MIN_VALUE;
        long maxBehind = 0;
        int lateWithin = 0;
        for (int i = 0; i < 20_000; i++) {
            Outgoing r = source.next();
            if (r.kind() != Kind.VALID) {
                continue;
            }
            long t = r.event().getTimestamp().toEpochMilli();
            newest = Math.max(newest, t);
            maxBehind = Math.max(maxBehind, newest - t);
            if (newest - t >= 29_000) {
                lateWithin++;
            }
        }
        assertThat(maxBehind).isLessThan(60_000);
        assertThat(lateWithin).isGreaterThan(50);
    }

    @Test
    void theDefaultLatenessKeepsTheShapesTwoMinutes() {
        SyntheticOptions options = WorkloadShape.CATALOG.options(42, START, 10_000);

        assertThat(options.lateWithinInside(Duration.ofMinutes(5))).isSameAs(options);
        assertThat(options.lateWithinBy()).isEqualTo(Duration.ofMinutes(2));
    }
}
