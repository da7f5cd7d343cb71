package com.streampulse.job.aggregate;

import static com.streampulse.job.records.Downloads.download;
import static com.streampulse.job.records.Downloads.fields;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.Download.Status;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.records.WindowCounts.Dimension;
import org.junit.jupiter.api.Test;

class MergeCountsTest {

    private static final long WINDOW = 1_764_237_600_000L;
    private final MergeCounts merge = new MergeCounts();

    @Test
    void accumulatorStartsEmpty() {
        assertThat(fields(merge.createAccumulator())).isEqualTo("null|null|0|0|0|0|0|0|0");
    }

    @Test
    void addingPartialsSumsThemUnderTheirKeyAndWindow() {
        WindowCounts first = partial(Status.SUCCESS, Status.FAILED);
        WindowCounts second = partial(Status.CANCELLED, Status.SUCCESS, Status.SUCCESS);

        WindowCounts acc = merge.add(second, merge.add(first, merge.createAccumulator()));

        assertThat(fields(merge.getResult(acc)))
                .isEqualTo("mov_1|Title One|" + WINDOW + "|5|3|1|50|5000000|300");
    }

    @Test
    void mergingTwoAccumulatorsEqualsAddingEverything() {
        WindowCounts a = merge.add(partial(Status.SUCCESS), merge.createAccumulator());
        WindowCounts b =
                merge.add(partial(Status.FAILED, Status.FAILED), merge.createAccumulator());

        assertThat(fields(merge.merge(a, b)))
                .isEqualTo("mov_1|Title One|" + WINDOW + "|3|1|2|30|3000000|100");
    }

    /** Events of 10 s, 1 Mbps, 100 MB each. */
    private static WindowCounts partial(Status... statuses) {
        WindowCounts c = new WindowCounts(Dimension.CONTENT, "mov_1", "Title One", WINDOW);
        for (Status s : statuses) {
            c.add(download(s, 10, 1_000_000, 100));
        }
        return c;
    }
}
