package com.streampulse.generator;

import com.streampulse.events.Content;
import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.events.Download;
import com.streampulse.events.UserContext;
import com.streampulse.generator.Catalogue.Device;
import com.streampulse.generator.Catalogue.Region;
import com.streampulse.generator.Catalogue.Title;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Draws events shaped like the original producer's. Every random choice comes from the {@link
 * Random} passed in, ids included, so a seed reproduces a run byte for byte.
 *
 * <p>Outcomes: success 90 % (25-50 Mbps, 60-180 s), failed 8 % (1-5 Mbps, 10-60 s, an error code),
 * slow 2 % (status success, 5-10 Mbps, 300-600 s). A degraded region fails 40 % of the time and its
 * successful downloads crawl at 2-8 Mbps, so both HIGH_ERROR_RATE (critical) and SLOW_DOWNLOADS
 * fire for it.
 */
public final class EventFactory {

    static final double SUCCESS_SHARE = 0.90;
    static final double FAILED_SHARE = 0.08;
    static final double DEGRADED_FAILED_SHARE = 0.40;

    private EventFactory() {}

    public static ContentDownloadEvent create(
            Random random, long timestampMillis, Predicate<String> degraded) {
        String eventId = uuid(random).toString();
        String userId = String.format("user_%05d", random.nextInt(100_000));
        Title title = Catalogue.TITLE_MIX.pick(random);
        Region region = Catalogue.REGION_MIX.pick(random);
        String city = region.cities().get(random.nextInt(region.cities().size()));
        Device device = Catalogue.DEVICE_MIX.pick(random);
        String connection = Catalogue.CONNECTION_MIX.pick(random);
        Download download =
                degraded.test(region.name()) ? degradedOutcome(random) : outcome(random);
        return new ContentDownloadEvent(
                eventId,
                Instant.ofEpochMilli(timestampMillis),
                userId,
                new Content(
                        title.contentId(),
                        title.title(),
                        title.type(),
                        title.category(),
                        title.sizeMb(),
                        title.price()),
                download,
                new UserContext(
                        region.name(), city, device.name(), device.osVersion(), connection));
    }

    private static Download outcome(Random random) {
        double r = random.nextDouble();
        if (r < SUCCESS_SHARE) {
            return success(between(random, 25, 50), random.nextInt(60, 181));
        }
        if (r < SUCCESS_SHARE + FAILED_SHARE) {
            return failed(random);
        }
        return success(between(random, 5, 10), random.nextInt(300, 601));
    }

    private static Download degradedOutcome(Random random) {
        if (random.nextDouble() < DEGRADED_FAILED_SHARE) {
            return failed(random);
        }
        return success(between(random, 2, 8), random.nextInt(300, 901));
    }

    private static Download success(float speed, int duration) {
        return new Download("success", duration, speed, null, null);
    }

    private static Download failed(Random random) {
        List<String> error = Catalogue.ERROR_MIX.pick(random);
        return new Download(
                "failed",
                random.nextInt(10, 61),
                between(random, 1, 5),
                error.get(0),
                error.get(1));
    }

    /** Uniform in [low, high], to two decimals as the original. */
    private static float between(Random random, double low, double high) {
        double value = low + random.nextDouble() * (high - low);
        return Math.round(value * 100) / 100f;
    }

    /** A version-4 UUID whose bits come from {@code random}. */
    static UUID uuid(Random random) {
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
