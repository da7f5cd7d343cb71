package com.streampulse.generator;

import java.util.List;

/**
 * What the original StreamPulse producer sent: four titles, nine regions with their cities, six
 * Apple devices, four connection types. The weights are the original's.
 */
public final class Catalogue {

    /** One title in the store. */
    public record Title(
            String contentId,
            String title,
            String type,
            String category,
            int sizeMb,
            float price) {}

    /** A region (the Kafka key) and the cities its users are in. */
    public record Region(String name, List<String> cities) {}

    /** A device model and the OS version it runs. */
    public record Device(String name, String osVersion) {}

    public static final List<Title> TITLES =
            List.of(
                    new Title(
                            "mov_avengers_2",
                            "Avengers: Endgame Part 2",
                            "movie",
                            "action",
                            4500,
                            19.99f),
                    new Title(
                            "mov_taylor_swift",
                            "Taylor Swift: The Eras Tour",
                            "concert",
                            "music",
                            3200,
                            14.99f),
                    new Title("mov_batman", "The Batman", "movie", "action", 4200, 14.99f),
                    new Title("mov_barbie_2", "Barbie 2", "movie", "comedy", 3800, 19.99f));

    /** 50/30/15/5, as the original producer. */
    public static final Weighted<Title> TITLE_MIX =
            new Weighted<>(TITLES, new int[] {50, 30, 15, 5});

    public static final List<Region> REGIONS =
            List.of(
                    new Region(
                            "US-California",
                            List.of("Los Angeles", "San Francisco", "San Diego", "San Jose")),
                    new Region("US-Texas", List.of("Austin", "Houston", "Dallas")),
                    new Region("US-NewYork", List.of("New York City", "Brooklyn", "Buffalo")),
                    new Region("EU-London", List.of("London", "Croydon", "Westminster")),
                    new Region("EU-Paris", List.of("Paris", "Versailles", "Boulogne-Billancourt")),
                    new Region("EU-Berlin", List.of("Berlin", "Potsdam")),
                    new Region("ASIA-Tokyo", List.of("Tokyo", "Yokohama", "Kawasaki")),
                    new Region("ASIA-Seoul", List.of("Seoul", "Incheon", "Suwon")),
                    new Region("ASIA-Mumbai", List.of("Mumbai", "Thane", "Navi Mumbai")));

    /** US-California is twice as likely as each other region. */
    public static final Weighted<Region> REGION_MIX =
            new Weighted<>(REGIONS, new int[] {2, 1, 1, 1, 1, 1, 1, 1, 1});

    public static final List<Device> DEVICES =
            List.of(
                    new Device("iPhone 15 Pro", "iOS 18.1"),
                    new Device("iPhone 14", "iOS 18.0"),
                    new Device("iPad Pro", "iPadOS 18.0"),
                    new Device("iPad Air", "iPadOS 17.6"),
                    new Device("Apple TV 4K", "tvOS 18.0"),
                    new Device("MacBook Pro", "macOS 14.5"));

    public static final Weighted<Device> DEVICE_MIX = Weighted.uniform(DEVICES);

    public static final Weighted<String> CONNECTION_MIX =
            Weighted.uniform(List.of("wifi", "5g", "4g", "ethernet"));

    /** Error codes of failed downloads, with the message each carries. */
    public static final List<List<String>> ERRORS =
            List.of(
                    List.of("cdn_timeout", "CDN edge did not respond in time"),
                    List.of("network_error", "Connection reset during transfer"),
                    List.of("disk_full", "Not enough storage on device"),
                    List.of("auth_failed", "Purchase could not be verified"));

    public static final Weighted<List<String>> ERROR_MIX = Weighted.uniform(ERRORS);

    private Catalogue() {}

    /** The region called {@code name}, or null. */
    public static Region region(String name) {
        return REGIONS.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }
}
