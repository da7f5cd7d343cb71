package com.streampulse.generator;

import com.streampulse.events.ContentDownloadEvent;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The key counts a run draws from, shared by the generator ({@code --shape}) and the benchmark, so
 * every figure names the shape it was measured on.
 *
 * <ul>
 *   <li>{@code tiny}: the original producer's catalogue, 4 titles, 9 regions, 6 device/OS pairs (19
 *       keys), clean. Pre-aggregation folds it to a few hundred partial sums a minute, so it
 *       measures reading and decoding.
 *   <li>{@code catalog}: 100,000 content ids with Zipf popularity (s = 1.1), 50 regions, 200
 *       device/OS pairs, 1 M users; 1 % malformed, 1 % invalid, 0.5 % late within the allowed
 *       lateness (2 min), 0.1 % beyond it (10 min).
 *   <li>{@code catalog_1k}: {@code catalog}'s regions, devices and users with 1,000 content ids
 *       (Zipf 1.1), clean: the 1k point of the benchmark's key-count curve.
 *   <li>{@code wide}: a new content id for every event, so every event is its own row (1 M rows a
 *       minute at 16,667 events/s of event time), clean.
 * </ul>
 */
public enum WorkloadShape {
    TINY(Catalogue.TITLES.size(), Catalogue.REGIONS.size(), Catalogue.DEVICES.size(), 100_000),
    CATALOG(100_000, 50, 200, 1_000_000),
    CATALOG_1K(1_000, 50, 200, 1_000_000),
    WIDE(-1, Catalogue.REGIONS.size(), Catalogue.DEVICES.size(), 100_000);

    /** Zipf exponent of content popularity in {@code catalog}. */
    public static final double ZIPF_EXPONENT = 1.1;

    /** Devices times OS versions make the 200 pairs of {@code catalog}. */
    private static final int CATALOG_OS_VERSIONS = 5;

    private final int contents;
    private final int regions;
    private final int devicePairs;
    private final int users;
    private ZipfSampler zipf;

    WorkloadShape(int contents, int regions, int devicePairs, int users) {
        this.contents = contents;
        this.regions = regions;
        this.devicePairs = devicePairs;
        this.users = users;
    }

    public static WorkloadShape parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "shape must be tiny, catalog, catalog_1k or wide, got '" + name + "'");
        }
    }

    /** The name as users type it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Key counts, e.g. for {@code catalog}: 100,000 content ids (Zipf 1.1), 50 regions, ... */
    public String keyCounts() {
        String content =
                switch (this) {
                    case TINY -> contents + " titles";
                    case CATALOG, CATALOG_1K ->
                            String.format(
                                    Locale.ROOT,
                                    "%,d content ids (Zipf %.1f)",
                                    contents,
                                    ZIPF_EXPONENT);
                    case WIDE -> "a new content id per event";
                };
        return String.format(
                Locale.ROOT,
                "%s, %d regions, %d device/OS pairs, %,d users",
                content,
                regions,
                devicePairs,
                users);
    }

    /** The options a run of this shape draws with: its dirty mix on top of {@code plain}. */
    public SyntheticOptions options(long seed, java.time.Instant start, double rate) {
        SyntheticOptions plain = SyntheticOptions.plain(seed, start, rate).withShape(this);
        if (this != CATALOG) {
            return plain;
        }
        return plain.withBadInput(0.01, 0.01)
                .withDisorder(Duration.ZERO, 0.001, Duration.ofMinutes(10))
                .withLateWithin(0.005, Duration.ofMinutes(2));
    }

    /** One event of this shape; {@code tiny} draws exactly what the original producer did. */
    ContentDownloadEvent draw(
            Random random, long timestampMillis, long index, Predicate<String> degraded) {
        ContentDownloadEvent event = EventFactory.create(random, timestampMillis, degraded);
        switch (this) {
            case TINY -> {}
            case CATALOG, CATALOG_1K -> {
                Names n = names();
                int rank = zipf().sample(random);
                event.getContent().setContentId(n.contentIds[rank]);
                event.getContent().setTitle(n.titles[rank]);
                int region = random.nextInt(regions);
                event.getUserContext().setRegion(n.regions[region]);
                event.getUserContext().setCity(n.cities[region]);
                int pair = random.nextInt(devicePairs);
                event.getUserContext().setDevice(n.devices[pair / CATALOG_OS_VERSIONS]);
                event.getUserContext().setOsVersion(n.osVersions[pair % CATALOG_OS_VERSIONS]);
                event.setUserId(zeroPadded("user_", random.nextInt(users), 7));
            }
            case WIDE -> {
                event.getContent().setContentId("wide_" + index);
                event.getContent().setTitle("Wide title " + index);
            }
        }
        return event;
    }

    /**
     * The catalogue's strings, made once: formatting them per event made the benchmark's loader
     * (which draws tens of millions of events) half as fast as the job reads them.
     */
    private record Names(
            String[] contentIds,
            String[] titles,
            String[] regions,
            String[] cities,
            String[] devices,
            String[] osVersions) {}

    private Names names;

    private synchronized Names names() {
        if (names == null) {
            // Zipf ranks run from 1 to contents; index 0 is unused.
            String[] ids = new String[contents + 1];
            String[] titles = new String[contents + 1];
            for (int rank = 1; rank <= contents; rank++) {
                ids[rank] = zeroPadded("cat_", rank, 6);
                titles[rank] = "Catalogue title " + rank;
            }
            String[] regionNames = new String[regions];
            String[] cities = new String[regions];
            for (int r = 0; r < regions; r++) {
                regionNames[r] = zeroPadded("REGION-", r, 2);
                cities[r] = "City " + r;
            }
            String[] devices = new String[devicePairs / CATALOG_OS_VERSIONS];
            for (int d = 0; d < devices.length; d++) {
                devices[d] = "Device " + d;
            }
            String[] os = new String[CATALOG_OS_VERSIONS];
            for (int v = 0; v < os.length; v++) {
                os[v] = "OS " + v;
            }
            names = new Names(ids, titles, regionNames, cities, devices, os);
        }
        return names;
    }

    /** {@code prefix} and {@code n} with leading zeros to {@code width} digits, as {@code %0wd}. */
    static String zeroPadded(String prefix, int n, int width) {
        String digits = Integer.toString(n);
        StringBuilder sb = new StringBuilder(prefix.length() + Math.max(width, digits.length()));
        sb.append(prefix);
        for (int i = digits.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(digits).toString();
    }

    private synchronized ZipfSampler zipf() {
        if (zipf == null) {
            zipf = new ZipfSampler(contents, ZIPF_EXPONENT);
        }
        return zipf;
    }
}
