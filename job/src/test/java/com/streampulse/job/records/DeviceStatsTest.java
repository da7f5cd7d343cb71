package com.streampulse.job.records;

import static com.streampulse.job.records.Downloads.download;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.Download.Status;
import com.streampulse.job.records.WindowCounts.Dimension;
import org.junit.jupiter.api.Test;

class DeviceStatsTest {

    private static final long START = 1_764_237_600_000L;
    private static final long END = START + 60_000;

    @Test
    void rowIsPerDeviceAndOsVersionWithAveragesOverAllEvents() {
        WindowCounts c = new WindowCounts(Dimension.CONTENT, "Pixel 9", "Android 15", START);
        c.add(download(Status.SUCCESS, 7, 12_500_000, 4500));
        c.add(download(Status.FAILED, 2, 0, 2000));
        c.add(download(Status.CANCELLED, 0, 500_000, 500));

        assertThat(DeviceStats.of(c, END))
                .isEqualTo(
                        new DeviceStats(
                                START,
                                END,
                                "Pixel 9",
                                "Android 15",
                                3,
                                1,
                                1,
                                13.0 / 3, // 13 Mbps over 3 events
                                3.0)); // 9 s over 3 events
    }
}
