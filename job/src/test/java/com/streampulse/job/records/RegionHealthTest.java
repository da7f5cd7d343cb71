package com.streampulse.job.records;

import static com.streampulse.job.records.Downloads.download;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.Download.Status;
import com.streampulse.job.records.WindowCounts.Dimension;
import org.junit.jupiter.api.Test;

class RegionHealthTest {

    private static final long START = 1_764_237_600_000L;
    private static final long END = START + 60_000;

    @Test
    void successRateAndAveragesAreOverAllEventsIncludingCancelled() {
        WindowCounts c = new WindowCounts(Dimension.CONTENT, "EU-Berlin", "", START);
        c.add(download(Status.SUCCESS, 100, 40_000_000, 4500));
        c.add(download(Status.SUCCESS, 50, 30_000_000, 1000));
        c.add(download(Status.FAILED, 30, 2_000_000, 2000));
        c.add(download(Status.CANCELLED, 20, 8_000_000, 500));

        assertThat(RegionHealth.of(c, END))
                .isEqualTo(
                        new RegionHealth(
                                START,
                                END,
                                "EU-Berlin",
                                4,
                                2,
                                1,
                                0.5, // 2 of 4
                                20.0, // 80 Mbps / 4
                                50.0)); // 200 s / 4
    }
}
