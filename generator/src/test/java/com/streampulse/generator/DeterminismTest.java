package com.streampulse.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.generator.Outgoing.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DeterminismTest {

    static final Instant START = Instant.parse("2026-03-01T12:00:00Z");

    /** Every feature on, so every random choice is exercised. */
    static SyntheticOptions everything(long seed) {
        return SyntheticOptions.plain(seed, START, 500)
                .withDegraded(List.of("ASIA-Seoul"), Duration.ofSeconds(2))
                .withDisorder(Duration.ofSeconds(5), 0.02, Duration.ofMinutes(10))
                .withBadInput(0.02, 0.02)
                .withDemo(DemoTraffic.DEFAULTS);
    }

    static List<Outgoing> draw(SyntheticOptions options, int n) {
        return Stream.generate(new SyntheticSource(options)::next).limit(n).toList();
    }

    @Test
    void sameSeedGivesTheSameBytesIdsIncluded() {
        List<Outgoing> first = draw(everything(99), 5_000);
        List<Outgoing> second = draw(everything(99), 5_000);
        for (int i = 0; i < first.size(); i++) {
            assertThat(second.get(i).key()).isEqualTo(first.get(i).key());
            assertThat(second.get(i).value()).isEqualTo(first.get(i).value());
            assertThat(second.get(i).kind()).isEqualTo(first.get(i).kind());
        }
        assertThat(first.stream().map(Outgoing::kind).distinct())
                .containsExactlyInAnyOrder(Kind.values());
    }

    @Test
    void anotherSeedGivesOtherEvents() {
        List<Outgoing> first = draw(everything(1), 100);
        List<Outgoing> second = draw(everything(2), 100);
        assertThat(second.get(0).event().getEventId())
                .isNotEqualTo(first.get(0).event().getEventId());
    }

    @Test
    void outOfOrderAndLateStampsStayWithinTheirBounds() {
        List<Outgoing> records = draw(everything(5), 10_000);
        for (int i = 0; i < records.size(); i++) {
            Outgoing r = records.get(i);
            if (r.event() == null) {
                continue;
            }
            long scheduled = START.toEpochMilli() + i * 2L; // 500/s
            long stamped = r.event().getTimestamp().toEpochMilli();
            if (r.kind() == Kind.LATE) {
                assertThat(stamped).isEqualTo(scheduled - 600_000);
            } else if (stamped < scheduled - 5_000) {
                // Late, then made invalid: the job rejects it as INVALID before lateness matters.
                assertThat(r.kind()).isEqualTo(Kind.INVALID);
                assertThat(stamped).isEqualTo(scheduled - 600_000);
            } else {
                assertThat(stamped).isBetween(scheduled - 5_000, scheduled);
            }
        }
    }

    @Test
    void keyIsTheRegion() {
        for (Outgoing r : draw(everything(3), 2_000)) {
            if (r.event() != null) {
                assertThat(r.key()).isEqualTo(r.event().getUserContext().getRegion());
            } else {
                assertThat(Catalogue.region(r.key())).isNotNull();
            }
        }
    }
}
