package com.streampulse.job;

import com.streampulse.job.records.AlertRow;
import com.streampulse.job.records.ContentStats;
import com.streampulse.job.records.DeviceStats;
import com.streampulse.job.records.DroppedPartial;
import com.streampulse.job.records.RegionHealth;
import com.streampulse.job.records.RejectedEvent;
import com.streampulse.job.sink.JdbcSinks;
import org.apache.flink.api.connector.sink2.Sink;

/** Where each of the job's outputs goes: PostgreSQL in production, anything in tests. */
public record ResultSinks(
        Sink<ContentStats> contentStats,
        Sink<RegionHealth> regionHealth,
        Sink<DeviceStats> deviceStats,
        Sink<AlertRow> alerts,
        Sink<RejectedEvent> rejectedEvents,
        Sink<DroppedPartial> droppedPartials) {

    public static ResultSinks postgres(JdbcSinks jdbc) {
        return new ResultSinks(
                jdbc.contentStats(),
                jdbc.regionHealth(),
                jdbc.deviceStats(),
                jdbc.alerts(),
                jdbc.rejectedEvents(),
                jdbc.droppedPartials());
    }
}
