package com.streampulse.job.time;

import java.util.List;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.StateInitializationContext;

/**
 * Times the operators keep per subtask or per Kafka partition, as (index, time) pairs in union list
 * state: after a rescale every subtask sees every old entry and picks what applies to it.
 */
public final class UnionTimes {

    private UnionTimes() {}

    public static ListState<Tuple2<Integer, Long>> state(
            StateInitializationContext context, String name) throws Exception {
        return context.getOperatorStateStore()
                .getUnionListState(
                        new ListStateDescriptor<>(
                                name,
                                TypeInformation.of(new TypeHint<Tuple2<Integer, Long>>() {})));
    }

    /**
     * This subtask's own entry while the parallelism is unchanged; after a rescale the lowest of
     * all, so that no subtask's time runs ahead of a partition it now reads. MIN_VALUE if none.
     */
    public static long ownOrLowest(Iterable<Tuple2<Integer, Long>> saved, TaskInfo task) {
        long lowest = Long.MAX_VALUE;
        Long own = null;
        int count = 0;
        for (Tuple2<Integer, Long> entry : saved) {
            lowest = Math.min(lowest, entry.f1);
            if (entry.f0 == task.getIndexOfThisSubtask()) {
                own = entry.f1;
            }
            count++;
        }
        if (count == 0) {
            return Long.MIN_VALUE;
        }
        return count == task.getNumberOfParallelSubtasks() && own != null ? own : lowest;
    }

    /** Replaces the state with this subtask's one entry. */
    public static void putOwn(ListState<Tuple2<Integer, Long>> state, TaskInfo task, long time)
            throws Exception {
        state.update(List.of(Tuple2.of(task.getIndexOfThisSubtask(), time)));
    }
}
