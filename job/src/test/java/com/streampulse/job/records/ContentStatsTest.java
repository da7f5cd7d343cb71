package com.streampulse.job.records;

import static com.streampulse.job.records.Downloads.download;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.Download.Status;
import com.streampulse.job.records.WindowCounts.Dimension;
import org.junit.jupiter.api.Test;

class ContentStatsTest {

    private static final long START = 1_764_237_600_000L;
    private static final long END = START + 60_000;

    @Test
    void rowHasTheCountsAndOnlySuccessfulSize() {
        WindowCounts c = new WindowCounts(Dimension.CONTENT, "mov_1", "Title One", START);
        c.add(download(Status.SUCCESS, 100, 40_000_000, 4500));
        c.add(download(Status.SUCCESS, 50, 30_000_000, 1000));
        c.add(download(Status.FAILED, 30, 2_000_000, 2000));
        c.add(download(Status.CANCELLED, 10, 1_000_000, 500));

        assertThat(ContentStats.of(c, END))
                .isEqualTo(
                        new ContentStats(
                                START,
                                END,
                                "mov_1",
                                "Title One",
                                4, // cancelled counts in the total
                                2,
                                1,
                                5500 / 1024.0)); // 5.37109375: failed and cancelled not counted
    }
}
