package com.streampulse.job.records;

import static com.streampulse.job.records.Downloads.copy;
import static com.streampulse.job.records.Downloads.download;
import static com.streampulse.job.records.Downloads.fields;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.Download.Status;
import com.streampulse.job.records.WindowCounts.Dimension;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class WindowCountsTest {

    private static final long WINDOW = 1_764_237_600_000L;

    @Test
    void countsEachStatusAndSumsExactly() {
        WindowCounts c = new WindowCounts(Dimension.CONTENT, "EU-Berlin", "", WINDOW);
        c.add(download(Status.SUCCESS, 100, 40_000_000, 4500));
        c.add(download(Status.SUCCESS, 50, 12_300_000, 700));
        c.add(download(Status.FAILED, 30, 2_000_000, 900));
        c.add(download(Status.CANCELLED, 10, 1_500_000, 300));

        assertThat(c.total).isEqualTo(4);
        assertThat(c.successful).isEqualTo(2);
        assertThat(c.failed).isEqualTo(1);
        assertThat(c.durationSecondsSum).isEqualTo(190);
        assertThat(c.speedMicrosSum).isEqualTo(55_800_000);
        // Only the successful downloads' size.
        assertThat(c.successfulSizeMb).isEqualTo(5200);
    }

    @Test
    void ratesAndAveragesAreOverAllEvents() {
        WindowCounts c = new WindowCounts(Dimension.CONTENT, "EU-Berlin", "", WINDOW);
        c.add(download(Status.SUCCESS, 100, 40_000_000, 4500));
        c.add(download(Status.FAILED, 30, 2_000_000, 900));
        c.add(download(Status.CANCELLED, 10, 3_000_000, 300));
        c.add(download(Status.SUCCESS, 20, 15_000_000, 1020));

        assertThat(c.successRate()).isEqualTo(0.5);
        assertThat(c.errorRate()).isEqualTo(0.5);
        assertThat(c.averageSpeedMbps()).isEqualTo(15.0); // 60 Mbps / 4
        assertThat(c.averageDurationSeconds()).isEqualTo(40.0); // 160 s / 4
        assertThat(c.successfulSizeGb()).isEqualTo(5.390625); // (4500 + 1020) MB / 1024
    }

    @Test
    void emptyCountsHaveZeroRatesNotNaN() {
        WindowCounts c = new WindowCounts();

        assertThat(c.successRate()).isZero();
        assertThat(c.errorRate()).isZero();
        assertThat(c.averageSpeedMbps()).isZero();
        assertThat(c.averageDurationSeconds()).isZero();
        assertThat(c.successfulSizeGb()).isZero();
    }

    @Test
    void sumsDoNotOverflowAtRealisticExtremes() {
        // A million events at the highest valid speed (1e12 micro-Mbps) sums to 1e18 < 2^63.
        WindowCounts c = new WindowCounts(Dimension.CONTENT, "r", "", WINDOW);
        c.add(download(Status.SUCCESS, Integer.MAX_VALUE, 1_000_000_000_000L, Integer.MAX_VALUE));
        WindowCounts many = new WindowCounts(Dimension.CONTENT, "r", "", WINDOW);
        for (int i = 0; i < 1_000_000; i++) {
            many.merge(c);
        }

        assertThat(many.speedMicrosSum).isEqualTo(1_000_000_000_000_000_000L);
        assertThat(many.durationSecondsSum).isEqualTo(1_000_000L * Integer.MAX_VALUE);
        assertThat(many.successfulSizeMb).isEqualTo(1_000_000L * Integer.MAX_VALUE);
    }

    @Test
    void mergeIntoEmptyTakesKeyWindowAndDetail() {
        WindowCounts partial = new WindowCounts(Dimension.CONTENT, "mov_1", "Title One", WINDOW);
        partial.add(download(Status.FAILED, 30, 2_000_000, 900));

        WindowCounts merged = new WindowCounts().merge(partial);

        assertThat(fields(merged)).isEqualTo("mov_1|Title One|" + WINDOW + "|1|0|1|30|2000000|0");
    }

    @Test
    void mergeKeepsTheSmallerTitleWhateverTheOrder() {
        WindowCounts a = new WindowCounts(Dimension.CONTENT, "mov_1", "Title B", WINDOW);
        WindowCounts b = new WindowCounts(Dimension.CONTENT, "mov_1", "Title A", WINDOW);

        assertThat(copy(a).merge(b).detail).isEqualTo("Title A");
        assertThat(copy(b).merge(a).detail).isEqualTo("Title A");
    }

    @Test
    void toStringShowsKeyWindowAndCounts() {
        WindowCounts c = new WindowCounts(Dimension.CONTENT, "Pixel 9", "Android 15", 60_000);
        c.add(download(Status.SUCCESS, 1, 1, 1));

        assertThat(c)
                .hasToString(
                        "WindowCounts{CONTENT Pixel 9/Android 15 @60000 total=1 ok=1 failed=0"
                                + " onTime=1}");
        assertThat(new WindowCounts(Dimension.CONTENT, "EU", "", 0))
                .hasToString("WindowCounts{CONTENT EU @0 total=0 ok=0 failed=0 onTime=0}");
    }

    @Property(tries = 500)
    void mergeIsCommutative(
            @ForAll("partials") WindowCounts a, @ForAll("partials") WindowCounts b) {
        assertThat(fields(copy(a).merge(b))).isEqualTo(fields(copy(b).merge(a)));
    }

    @Property(tries = 500)
    void mergeIsAssociative(
            @ForAll("partials") WindowCounts a,
            @ForAll("partials") WindowCounts b,
            @ForAll("partials") WindowCounts c) {
        String left = fields(copy(a).merge(b).merge(c));
        String right = fields(copy(a).merge(copy(b).merge(c)));

        assertThat(left).isEqualTo(right);
    }

    @Property(tries = 300)
    void emptyAccumulatorIsTheIdentity(@ForAll("partials") WindowCounts a) {
        assertThat(fields(new WindowCounts().merge(a))).isEqualTo(fields(a));
        assertThat(
                        fields(
                                copy(a).merge(
                                                new WindowCounts(
                                                        Dimension.CONTENT, "mov_1", null, WINDOW))))
                .isEqualTo(fields(a));
    }

    @Property(tries = 300)
    void mergingPartialsEqualsAddingEveryEventToOne(
            @ForAll("downloads") java.util.List<Download> first,
            @ForAll("downloads") java.util.List<Download> second) {
        WindowCounts one = new WindowCounts(Dimension.CONTENT, "mov_1", "Title One", WINDOW);
        WindowCounts a = new WindowCounts(Dimension.CONTENT, "mov_1", "Title One", WINDOW);
        WindowCounts b = new WindowCounts(Dimension.CONTENT, "mov_1", "Title One", WINDOW);
        first.forEach(one::add);
        second.forEach(one::add);
        first.forEach(a::add);
        second.forEach(b::add);

        assertThat(fields(a.merge(b))).isEqualTo(fields(one));
    }

    /** Partials of one key and window, as the pre-aggregator emits them. */
    @Provide
    Arbitrary<WindowCounts> partials() {
        return Combinators.combine(Arbitraries.of("Title A", "Title B", "Title C"), downloads())
                .as(
                        (title, events) -> {
                            WindowCounts c =
                                    new WindowCounts(Dimension.CONTENT, "mov_1", title, WINDOW);
                            events.forEach(c::add);
                            return c;
                        });
    }

    @Provide
    Arbitrary<java.util.List<Download>> downloads() {
        return Combinators.combine(
                        Arbitraries.of(Status.class),
                        Arbitraries.integers().between(0, 100_000),
                        Arbitraries.longs().between(0, 1_000_000_000_000L),
                        Arbitraries.integers().between(0, 200_000))
                .as(Downloads::download)
                .list()
                .ofMaxSize(20);
    }
}
