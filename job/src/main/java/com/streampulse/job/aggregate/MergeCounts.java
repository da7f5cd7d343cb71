package com.streampulse.job.aggregate;

import com.streampulse.job.records.WindowCounts;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Merges the partial sums of one key and window; incremental, so a window holds one value. */
public final class MergeCounts
        implements AggregateFunction<WindowCounts, WindowCounts, WindowCounts> {

    private static final long serialVersionUID = 1L;

    @Override
    public WindowCounts createAccumulator() {
        return new WindowCounts();
    }

    @Override
    public WindowCounts add(WindowCounts partial, WindowCounts accumulator) {
        return accumulator.merge(partial);
    }

    @Override
    public WindowCounts getResult(WindowCounts accumulator) {
        return accumulator;
    }

    @Override
    public WindowCounts merge(WindowCounts a, WindowCounts b) {
        return a.merge(b);
    }
}
