package com.streampulse.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.events.Download;
import com.streampulse.generator.Catalogue.Device;
import com.streampulse.generator.Catalogue.Region;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The synthetic mix matches the original producer's over 100,000 events of a fixed seed. */
class EventMixTest {

    static final int EVENTS = 100_000;
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    /** Four standard deviations of a share estimated from 100k draws is below 0.006. */
    static final double TOLERANCE = 0.006;

    static List<ContentDownloadEvent> events;

    @BeforeAll
    static void draw() {
        SyntheticSource source = new SyntheticSource(SyntheticOptions.plain(42, START, 200));
        events =
                java.util.stream.Stream.generate(source::next)
                        .limit(EVENTS)
                        .map(Outgoing::event)
                        .toList();
    }

    static Map<String, Double> shares(java.util.function.Function<ContentDownloadEvent, String> f) {
        Map<String, Double> shares = new HashMap<>();
        events.forEach(e -> shares.merge(f.apply(e), 1.0 / EVENTS, Double::sum));
        return shares;
    }

    @Test
    void contentIsWeighted50_30_15_5() {
        Map<String, Double> shares = shares(e -> e.getContent().getContentId());
        assertThat(shares).hasSize(4);
        assertThat(shares.get("mov_avengers_2")).isCloseTo(0.50, within(TOLERANCE));
        assertThat(shares.get("mov_taylor_swift")).isCloseTo(0.30, within(TOLERANCE));
        assertThat(shares.get("mov_batman")).isCloseTo(0.15, within(TOLERANCE));
        assertThat(shares.get("mov_barbie_2")).isCloseTo(0.05, within(TOLERANCE));
    }

    @Test
    void californiaIsTwiceAsLikelyAsEachOtherRegion() {
        Map<String, Double> shares = shares(e -> e.getUserContext().getRegion());
        assertThat(shares).hasSize(9);
        assertThat(shares.get("US-California")).isCloseTo(0.20, within(TOLERANCE));
        Catalogue.REGIONS.stream()
                .map(Region::name)
                .filter(r -> !r.equals("US-California"))
                .forEach(r -> assertThat(shares.get(r)).as(r).isCloseTo(0.10, within(TOLERANCE)));
    }

    @Test
    void outcomesAreNinetyEightTwo() {
        Map<String, Double> shares = shares(EventMixTest::outcome);
        assertThat(shares.get("success")).isCloseTo(0.90, within(TOLERANCE));
        assertThat(shares.get("failed")).isCloseTo(0.08, within(TOLERANCE));
        assertThat(shares.get("slow")).isCloseTo(0.02, within(TOLERANCE / 2));
        Map<String, Double> errors = shares(e -> String.valueOf(e.getDownload().getErrorCode()));
        for (String code : List.of("cdn_timeout", "network_error", "disk_full", "auth_failed")) {
            assertThat(errors.get(code)).as(code).isCloseTo(0.02, within(TOLERANCE / 2));
        }
        assertThat(shares(e -> e.getUserContext().getConnectionType()).keySet())
                .containsExactlyInAnyOrder("wifi", "5g", "4g", "ethernet");
    }

    /** Which of the three outcomes produced the event, from its ranges alone. */
    static String outcome(ContentDownloadEvent e) {
        Download d = e.getDownload();
        if (d.getStatus().equals("failed")) {
            return "failed";
        }
        return d.getDurationSeconds() >= 300 ? "slow" : "success";
    }

    @Test
    void everyEventIsWithinTheOriginalRanges() {
        Set<String> devices =
                Catalogue.DEVICES.stream()
                        .map(d -> d.name() + "/" + d.osVersion())
                        .collect(java.util.stream.Collectors.toSet());
        for (ContentDownloadEvent e : events) {
            Download d = e.getDownload();
            switch (outcome(e)) {
                case "success" -> {
                    assertThat(d.getSpeedMbps()).isBetween(25f, 50f);
                    assertThat(d.getDurationSeconds()).isBetween(60, 180);
                    assertThat(d.getErrorCode()).isNull();
                }
                case "slow" -> {
                    assertThat(d.getStatus()).isEqualTo("success");
                    assertThat(d.getSpeedMbps()).isBetween(5f, 10f);
                    assertThat(d.getDurationSeconds()).isBetween(300, 600);
                }
                default -> {
                    assertThat(d.getSpeedMbps()).isBetween(1f, 5f);
                    assertThat(d.getDurationSeconds()).isBetween(10, 60);
                    assertThat(d.getErrorCode()).isNotNull();
                    assertThat(d.getErrorMessage()).isNotBlank();
                }
            }
            Region region = Catalogue.region(e.getUserContext().getRegion());
            assertThat(region.cities()).contains(e.getUserContext().getCity());
            assertThat(devices)
                    .contains(
                            e.getUserContext().getDevice()
                                    + "/"
                                    + e.getUserContext().getOsVersion());
            assertThat(e.getEventId()).hasSize(36);
        }
        assertThat(shares(e -> e.getUserContext().getDevice()).keySet())
                .containsExactlyInAnyOrderElementsOf(
                        Catalogue.DEVICES.stream().map(Device::name).toList());
    }

    @Test
    void timestampsFollowTheRateFromTheStartTime() {
        // 200 events/s: event i at start + 5 ms * i.
        assertThat(events.get(0).getTimestamp()).isEqualTo(START);
        assertThat(events.get(1).getTimestamp()).isEqualTo(START.plusMillis(5));
        assertThat(events.get(EVENTS - 1).getTimestamp())
                .isEqualTo(START.plusMillis(5L * (EVENTS - 1)));
    }

    @Test
    void degradedRegionFailsAndCrawlsOnlyAfterDegradeAfter() {
        SyntheticOptions options =
                SyntheticOptions.plain(7, START, 1000)
                        .withDegraded(List.of("EU-Paris"), Duration.ofSeconds(20));
        SyntheticSource source = new SyntheticSource(options);
        long before = 0, beforeFailed = 0, after = 0, afterFailed = 0;
        for (int i = 0; i < 60_000; i++) {
            ContentDownloadEvent e = source.next().event();
            if (!e.getUserContext().getRegion().equals("EU-Paris")) {
                continue;
            }
            boolean failed = e.getDownload().getStatus().equals("failed");
            if (e.getTimestamp().isBefore(START.plusSeconds(20))) {
                before++;
                beforeFailed += failed ? 1 : 0;
            } else {
                after++;
                afterFailed += failed ? 1 : 0;
                if (!failed) {
                    assertThat(e.getDownload().getSpeedMbps()).isBetween(2f, 8f);
                }
            }
        }
        assertThat(beforeFailed / (double) before).isCloseTo(0.08, within(0.02));
        assertThat(afterFailed / (double) after).isCloseTo(0.40, within(0.02));
    }
}
