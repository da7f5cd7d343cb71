package com.streampulse.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.streampulse.generator.Outgoing.Kind;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The shapes draw the key counts and dirty mix they promise, over 200,000 seeded events. */
class WorkloadShapeTest {

    static final int EVENTS = 200_000;
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    /** Four standard deviations of a 1 % share estimated from 200k draws: 0.0009. */
    static final double TOLERANCE = 0.001;

    @Test
    void tinyDrawsExactlyWhatThePlainGeneratorDraws() {
        List<Outgoing> plain = draw(SyntheticOptions.plain(5, START, 1000), 1_000);
        List<Outgoing> tiny = draw(WorkloadShape.TINY.options(5, START, 1000), 1_000);

        for (int i = 0; i < plain.size(); i++) {
            assertThat(tiny.get(i).value()).isEqualTo(plain.get(i).value());
        }
    }

    @Test
    void catalogHasItsKeyCountsZipfPopularityAndDirtyMix() {
        List<Outgoing> records = draw(WorkloadShape.CATALOG.options(42, START, 10_000), EVENTS);
        Map<Kind, Integer> kinds = new HashMap<>();
        Map<String, Integer> contents = new HashMap<>();
        Set<String> regions = new HashSet<>();
        Set<String> devices = new HashSet<>();
        long lateWithin = 0;
        for (int i = 0; i < records.size(); i++) {
            Outgoing r = records.get(i);
            kinds.merge(r.kind(), 1, Integer::sum);
            if (r.kind() != Kind.VALID) {
                continue;
            }
            contents.merge(r.event().getContent().getContentId(), 1, Integer::sum);
            regions.add(r.event().getUserContext().getRegion());
            devices.add(
                    r.event().getUserContext().getDevice()
                            + "/"
                            + r.event().getUserContext().getOsVersion());
            long scheduled = START.toEpochMilli() + i / 10;
            if (r.event().getTimestamp().toEpochMilli() == scheduled - 120_000) {
                lateWithin++;
            }
        }

        assertThat(regions).hasSize(50);
        assertThat(devices).hasSize(200);
        // Zipf 1.1 over 100,000 ranks: the top title takes 1 / H(100000, 1.1) = 13.5 % of
        // events, and 200k draws see about 27,000 distinct titles of the long tail.
        assertThat(contents.get("cat_000001") / (double) kinds.get(Kind.VALID))
                .isCloseTo(0.1347, within(0.003));
        assertThat(contents.size()).isBetween(25_000, 29_000);
        assertThat(share(kinds, Kind.MALFORMED)).isCloseTo(0.01, within(TOLERANCE));
        assertThat(share(kinds, Kind.INVALID)).isCloseTo(0.0098, within(TOLERANCE));
        assertThat(share(kinds, Kind.LATE)).isCloseTo(0.001, within(0.0003));
        assertThat(lateWithin / (double) EVENTS).isCloseTo(0.005, within(0.0007));
    }

    @Test
    void catalogNamesAreTheFormattedOnes() {
        for (int n : new int[] {0, 7, 42, 999_999, 100_000, 1_234_567}) {
            assertThat(WorkloadShape.zeroPadded("cat_", n, 6))
                    .isEqualTo(String.format("cat_%06d", n));
            assertThat(WorkloadShape.zeroPadded("user_", n, 7))
                    .isEqualTo(String.format("user_%07d", n));
        }
        Outgoing first =
                draw(WorkloadShape.CATALOG.options(3, START, 1_000), 100).stream()
                        .filter(r -> r.kind() == Kind.VALID)
                        .findFirst()
                        .orElseThrow();
        assertThat(first.event().getContent().getContentId()).matches("cat_\\d{6}");
        assertThat(first.event().getContent().getTitle())
                .isEqualTo(
                        "Catalogue title "
                                + Integer.parseInt(
                                        first.event().getContent().getContentId().substring(4)));
        assertThat(first.event().getUserContext().getRegion()).matches("REGION-\\d{2}");
        assertThat(first.event().getUserId()).matches("user_\\d{7}");
    }

    @Test
    void catalog1kDrawsAThousandTitlesCleanly() {
        List<Outgoing> records = draw(WorkloadShape.CATALOG_1K.options(7, START, 10_000), EVENTS);

        assertThat(records).allMatch(r -> r.kind() == Kind.VALID);
        assertThat(records.stream().map(r -> r.event().getContent().getContentId()).distinct())
                .hasSize(1_000);
        assertThat(records.stream().map(r -> r.event().getUserContext().getRegion()).distinct())
                .hasSize(50);
    }

    @Test
    void wideGivesEveryEventItsOwnContentId() {
        List<Outgoing> records = draw(WorkloadShape.WIDE.options(1, START, 16_667), 50_000);

        assertThat(records.stream().map(r -> r.event().getContent().getContentId()).distinct())
                .hasSize(50_000);
    }

    @Test
    void zipfProbabilitiesFallAsARankToTheMinusS() {
        ZipfSampler zipf = new ZipfSampler(100_000, 1.1);
        assertThat(zipf.probability(1) / zipf.probability(10))
                .isCloseTo(Math.pow(10, 1.1), within(1e-9));
        Random random = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            assertThat(zipf.sample(random)).isBetween(1, 100_000);
        }
    }

    private static double share(Map<Kind, Integer> kinds, Kind kind) {
        return kinds.getOrDefault(kind, 0) / (double) EVENTS;
    }

    private static List<Outgoing> draw(SyntheticOptions options, int n) {
        SyntheticSource source = new SyntheticSource(options);
        return Stream.generate(source::next).limit(n).toList();
    }
}
