package com.streampulse.job;

import com.streampulse.job.records.AlertRow;
import com.streampulse.job.records.ContentStats;
import com.streampulse.job.records.DeviceStats;
import com.streampulse.job.records.DroppedPartial;
import com.streampulse.job.records.RegionHealth;
import com.streampulse.job.records.RejectedEvent;
import com.streampulse.job.sessions.UserSession;
import com.streampulse.job.sink.JdbcSinks;
import com.streampulse.job.trending.TrendingRow;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/** Where each of the job's outputs goes: PostgreSQL in production, anything in tests. */
public record ResultSinks(
        Sink<ContentStats> contentStats,
        Sink<RegionHealth> regionHealth,
        Sink<DeviceStats> deviceStats,
        Sink<AlertRow> alerts,
        Sink<RejectedEvent> rejectedEvents,
        Sink<DroppedPartial> droppedPartials,
        Sink<TrendingRow> trendingContent,
        Sink<UserSession> userSessions) {

    /** Without the outputs of issue 16 (trending, sessions): those are discarded. */
    public ResultSinks(
            Sink<ContentStats> contentStats,
            Sink<RegionHealth> regionHealth,
            Sink<DeviceStats> deviceStats,
            Sink<AlertRow> alerts,
            Sink<RejectedEvent> rejectedEvents,
            Sink<DroppedPartial> droppedPartials) {
        this(
                contentStats,
                regionHealth,
                deviceStats,
                alerts,
                rejectedEvents,
                droppedPartials,
                new DiscardingSink<>(),
                new DiscardingSink<>());
    }

    public static ResultSinks postgres(JdbcSinks jdbc) {
        return new ResultSinks(
                jdbc.contentStats(),
                jdbc.regionHealth(),
                jdbc.deviceStats(),
                jdbc.alerts(),
                jdbc.rejectedEvents(),
                jdbc.droppedPartials(),
                jdbc.trendingContent(),
                jdbc.userSessions());
    }
}
