package com.streampulse.job.it;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.job.config.JobConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded traffic for the tests that inject failures, and the tables a failure-free run of it gives.
 * Disordered by less than the out-of-orderness, so every window fires once with all its events and
 * a single {@link Oracle} phase is exact.
 */
public final class RandomTraffic {

    /** When the traffic starts, in event time. */
    public static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

    private static final String[] REGIONS = {"US-California", "EU-London", "ASIA-Tokyo"};
    private static final String[][] CONTENTS = {
        {"mov_avengers_2", "Avengers: Endgame 2"},
        {"ser_dark_s1e1", "Dark S1E1"},
        {"gam_cyberpunk", "Cyberpunk 2077"}
    };
    private static final String[][] DEVICES = {
        {"iPhone 15 Pro", "iOS 18.1"}, {"Pixel 9", "Android 15"}, {"iPhone 15 Pro", "iOS 17.6"}
    };

    private RandomTraffic() {}

    /**
     * {@code count} records over about {@code count / 10} seconds of event time, disordered by less
     * than the out-of-orderness, with 3 % malformed and 2 % invalid records, in three partitions.
     */
    public static List<TestEvent> records(Random random, int count) {
        List<TestEvent> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int partition = random.nextInt(Pipeline.PARTITIONS);
            double dice = random.nextDouble();
            if (dice < 0.03) {
                byte[] garbage = new byte[1 + random.nextInt(30)];
                random.nextBytes(garbage);
                records.add(TestEvent.raw(partition, garbage));
                continue;
            }
            String[] content = CONTENTS[random.nextInt(CONTENTS.length)];
            String[] device = DEVICES[random.nextInt(DEVICES.length)];
            var event =
                    TestEvent.at(T0.plusMillis(i * 100L + random.nextInt(1_500)))
                            .region(REGIONS[random.nextInt(REGIONS.length)])
                            .content(content[0], content[1], 100 + random.nextInt(5_000))
                            .device(device[0], device[1])
                            .speed(5 + random.nextInt(45))
                            .duration(10 + random.nextInt(300));
            if (dice < 0.05) {
                event.duration(-1);
            } else if (dice < 0.17) {
                event.failed();
            } else if (dice < 0.20) {
                event.cancelled();
            }
            records.add(event.to(partition));
        }
        return records;
    }

    /** The tables a failure-free run gives: every valid event counted, every other one rejected. */
    public static TableSnapshot expected(JobConfig config, List<Sent> sent) {
        Oracle oracle = new Oracle(config.windowSize().toMillis(), config.alerts().minEvents());
        oracle.phase(
                sent.stream()
                        .map(Sent::record)
                        .filter(RandomTraffic::isValid)
                        .map(TestEvent::event)
                        .toList());
        for (Sent s : sent) {
            if (!isValid(s.record())) {
                ContentDownloadEvent e = s.record().event();
                oracle.rejected(
                        s,
                        e == null ? "MALFORMED" : "INVALID",
                        e == null ? null : e.getTimestamp(),
                        true);
            }
        }
        return oracle.expected();
    }

    public static boolean isValid(TestEvent e) {
        return e.event() != null && e.event().getDownload().getDurationSeconds() >= 0;
    }
}
