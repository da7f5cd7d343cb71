package com.streampulse.job;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.slf4j.MDC;

/**
 * Puts the job, the task (its chain of operators) and the subtask into the logging context of the
 * task's thread, so JSON logs (the chart's job.jsonLogs) carry them as fields for log aggregation.
 * Called from open() of an operator in every task; a task runs on one thread for its life.
 */
public final class TaskLogContext {

    private TaskLogContext() {}

    public static void set(RuntimeContext context) {
        MDC.put("job", context.getJobInfo().getJobName());
        MDC.put("operator", context.getTaskInfo().getTaskName());
        MDC.put("subtask", Integer.toString(context.getTaskInfo().getIndexOfThisSubtask()));
    }
}
