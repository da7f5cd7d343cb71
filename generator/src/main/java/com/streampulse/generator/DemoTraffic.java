package com.streampulse.generator;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.events.Download;
import com.streampulse.generator.Catalogue.Title;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;

/**
 * Traffic that gives trending, anomaly alerts and sessions something to show ({@code --demo}, on in
 * {@code make run}), drawn on top of the plain events as a function of event time since the start:
 *
 * <ul>
 *   <li><b>A title that surges</b>: {@link #SURGING_TITLE} takes {@code surgeBaseShare} of the
 *       downloads, then from {@code surgeAfter} climbs linearly over {@code surgeRamp} to {@code
 *       surgePeakShare}, taking the place of the title drawn, so the total volume does not move.
 *   <li><b>A region that drifts slowly</b>: from {@code driftAfter} every download speed in {@code
 *       driftRegion} is multiplied by {@code 1 − driftPerMinute × minutes} (never below {@code
 *       driftFloor}): a few minutes in, its average is a few standard deviations below the learned
 *       baseline, many minutes before it crosses the fixed 10 Mbps threshold.
 *   <li><b>Users with several sessions</b>: {@code regulars} users, {@code regular_00} ..., each
 *       downloading for {@code regularActive} then pausing for {@code regularPause}, their cycles
 *       spread evenly; {@code regularShare} of the events go to one of those active at the time. A
 *       pause longer than the job's session gap separates the sessions.
 * </ul>
 */
public record DemoTraffic(
        Duration surgeAfter,
        Duration surgeRamp,
        double surgeBaseShare,
        double surgePeakShare,
        String driftRegion,
        Duration driftAfter,
        double driftPerMinute,
        double driftFloor,
        int regulars,
        double regularShare,
        Duration regularActive,
        Duration regularPause) {

    /** A new release, not in the original catalogue. */
    public static final Title SURGING_TITLE =
            new Title("mov_dune_3", "Dune: Part Three", "movie", "scifi", 5100, 19.99f);

    /**
     * Paced for {@code make run}'s settings (3-window warm-up, 1 minute of lateness, 2-minute
     * session gap): the surge starts after 2 minutes, the drift after 4, a regular pauses 3.
     */
    public static final DemoTraffic DEFAULTS =
            new DemoTraffic(
                    Duration.ofMinutes(2),
                    Duration.ofMinutes(2),
                    0.01,
                    0.6,
                    "ASIA-Mumbai",
                    Duration.ofMinutes(4),
                    0.03,
                    0.25,
                    40,
                    0.02,
                    Duration.ofMinutes(1),
                    Duration.ofMinutes(3));

    public DemoTraffic {
        if (Catalogue.region(driftRegion) == null) {
            throw new IllegalArgumentException("unknown drift region '" + driftRegion + "'");
        }
        for (double share :
                new double[] {surgeBaseShare, surgePeakShare, regularShare, driftFloor}) {
            if (!(share >= 0 && share <= 1)) {
                throw new IllegalArgumentException("demo shares must be between 0 and 1");
            }
        }
        if (!(driftPerMinute >= 0) || regulars < 1) {
            throw new IllegalArgumentException("demo drift must be ≥ 0 and regulars ≥ 1");
        }
        if (surgeRamp.isNegative()
                || surgeAfter.isNegative()
                || driftAfter.isNegative()
                || regularActive.isNegative()
                || regularActive.isZero()
                || regularPause.isNegative()) {
            throw new IllegalArgumentException(
                    "demo durations must not be negative, and a regular must be active a while");
        }
    }

    /** One line for the start banner. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "%s surges from %d s, %s slows %.0f%% a minute from %d s, %d regulars"
                        + " download %d s then pause %d s",
                SURGING_TITLE.title(),
                surgeAfter.toSeconds(),
                driftRegion,
                driftPerMinute * 100,
                driftAfter.toSeconds(),
                regulars,
                regularActive.toSeconds(),
                regularPause.toSeconds());
    }

    /** Share of downloads that go to {@link #SURGING_TITLE} at {@code elapsed}. */
    public double surgeShare(Duration elapsed) {
        if (elapsed.compareTo(surgeAfter) < 0) {
            return surgeBaseShare;
        }
        double progress =
                surgeRamp.isZero()
                        ? 1
                        : Math.min(
                                1,
                                (double) elapsed.minus(surgeAfter).toMillis()
                                        / surgeRamp.toMillis());
        return surgeBaseShare + progress * (surgePeakShare - surgeBaseShare);
    }

    /** What {@code driftRegion}'s speeds are multiplied by at {@code elapsed}. */
    public double speedFactor(Duration elapsed) {
        if (elapsed.compareTo(driftAfter) < 0) {
            return 1;
        }
        double minutes = elapsed.minus(driftAfter).toMillis() / 60_000.0;
        return Math.max(driftFloor, 1 - driftPerMinute * minutes);
    }

    /** Whether regular user {@code i} is downloading at {@code elapsed}. */
    public boolean regularActive(int i, Duration elapsed) {
        long period = regularActive.toMillis() + regularPause.toMillis();
        long phase = period * i / regulars;
        return Math.floorMod(elapsed.toMillis() + phase, period) < regularActive.toMillis();
    }

    public static String regularId(int i) {
        return String.format("regular_%02d", i);
    }

    /**
     * Reshapes {@code event}, drawn {@code elapsed} after the start. Draws exactly three numbers
     * from {@code random} whatever the time, so a seed gives the same run at any pace.
     */
    void apply(ContentDownloadEvent event, Random random, Duration elapsed) {
        double surgeDraw = random.nextDouble();
        double regularDraw = random.nextDouble();
        int regularStart = random.nextInt(regulars);
        if (surgeDraw < surgeShare(elapsed)) {
            event.getContent().setContentId(SURGING_TITLE.contentId());
            event.getContent().setTitle(SURGING_TITLE.title());
            event.getContent().setType(SURGING_TITLE.type());
            event.getContent().setCategory(SURGING_TITLE.category());
            event.getContent().setSizeMb(SURGING_TITLE.sizeMb());
            event.getContent().setPrice(SURGING_TITLE.price());
        }
        if (event.getUserContext().getRegion().equals(driftRegion)) {
            Download download = event.getDownload();
            double factor = speedFactor(elapsed);
            download.setSpeedMbps(
                    (float) (Math.round(download.getSpeedMbps() * factor * 100) / 100.0));
        }
        if (regularDraw < regularShare) {
            // The first regular active now, from a random one on; none when all pause.
            for (int k = 0; k < regulars; k++) {
                int i = (regularStart + k) % regulars;
                if (regularActive(i, elapsed)) {
                    event.setUserId(regularId(i));
                    // A regular keeps to one device, as a person with a favourite screen does.
                    Catalogue.Device device = Catalogue.DEVICES.get(i % Catalogue.DEVICES.size());
                    event.getUserContext().setDevice(device.name());
                    event.getUserContext().setOsVersion(device.osVersion());
                    break;
                }
            }
        }
    }
}
