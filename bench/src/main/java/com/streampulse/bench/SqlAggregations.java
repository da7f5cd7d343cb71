package com.streampulse.bench;

import com.streampulse.job.config.JobConfig;
import com.streampulse.job.records.Download;
import com.streampulse.job.records.Ingested;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

/**
 * What a Flink user would write instead of the DataStream job: the decoded events as a table with
 * an event-time watermark, three TUMBLE window aggregations, and JDBC upsert sinks into the same
 * PostgreSQL tables, with mini-batch and two-phase (local/global) aggregation on.
 *
 * <p>Decoding reuses the job's deserializer (the read limit (a) measures the same), so the
 * comparison is between the aggregation and sink parts. It does less than the job: no alerts, no
 * allowed lateness (window TVFs drop late events), no rejected-events table.
 */
final class SqlAggregations {

    private SqlAggregations() {}

    static final String[] COLUMNS = {
        "ts",
        "content_id",
        "title",
        "region",
        "device",
        "os_version",
        "status",
        "duration_seconds",
        "speed_mbps",
        "size_mb"
    };

    static final TypeInformation<Row> ROW_TYPE =
            Types.ROW_NAMED(
                    COLUMNS,
                    Types.LONG,
                    Types.STRING,
                    Types.STRING,
                    Types.STRING,
                    Types.STRING,
                    Types.STRING,
                    Types.STRING,
                    Types.INT,
                    Types.DOUBLE,
                    Types.INT);

    static void attach(
            StreamExecutionEnvironment env, JobConfig config, Source<Ingested, ?, ?> source) {
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        Configuration tc = tEnv.getConfig().getConfiguration();
        tc.setString("table.exec.mini-batch.enabled", "true");
        tc.setString("table.exec.mini-batch.allow-latency", "1 s");
        tc.setString("table.exec.mini-batch.size", "5000");
        tc.setString("table.optimizer.agg-phase-strategy", "TWO_PHASE");
        tc.setString("table.local-time-zone", "UTC");

        DataStream<Row> events =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "Kafka: SQL")
                        .<Row>flatMap(
                                (ingested, out) -> {
                                    if (ingested.isValid()) {
                                        out.collect(toRow(ingested.download()));
                                    }
                                })
                        .returns(ROW_TYPE)
                        .name("To rows");
        long oooMillis = config.outOfOrderness().toMillis();
        tEnv.createTemporaryView(
                "events",
                tEnv.fromDataStream(
                        events,
                        Schema.newBuilder()
                                .columnByExpression("rowtime", "TO_TIMESTAMP_LTZ(ts, 3)")
                                .watermark(
                                        "rowtime",
                                        String.format(
                                                "rowtime - INTERVAL '%d.%03d' SECOND",
                                                oooMillis / 1000, oooMillis % 1000))
                                .build()));
        String windowSeconds = Long.toString(config.windowSize().toSeconds());
        tEnv.executeSql(
                "CREATE TEMPORARY VIEW windowed AS SELECT * FROM TABLE(TUMBLE(TABLE events,"
                        + " DESCRIPTOR(rowtime), INTERVAL '"
                        + windowSeconds
                        + "' SECOND))");

        String url = config.postgres().jdbcUrl();
        String user = config.postgres().user();
        String password = config.postgres().password().value();
        tEnv.executeSql(
                sinkDdl(
                        "pg_content_stats",
                        "content_stats",
                        "window_start TIMESTAMP(3), window_end TIMESTAMP(3), content_id STRING,"
                                + " title STRING, download_count BIGINT, successful_downloads"
                                + " BIGINT, failed_downloads BIGINT, total_size_gb DOUBLE,"
                                + " PRIMARY KEY (content_id, window_start) NOT ENFORCED",
                        url,
                        user,
                        password));
        tEnv.executeSql(
                sinkDdl(
                        "pg_region_health",
                        "region_health",
                        "window_start TIMESTAMP(3), window_end TIMESTAMP(3), region STRING,"
                                + " total_downloads BIGINT, successful_downloads BIGINT,"
                                + " failed_downloads BIGINT, success_rate DOUBLE, avg_speed_mbps"
                                + " DOUBLE, avg_duration_seconds DOUBLE,"
                                + " PRIMARY KEY (region, window_start) NOT ENFORCED",
                        url,
                        user,
                        password));
        tEnv.executeSql(
                sinkDdl(
                        "pg_device_stats",
                        "device_stats",
                        "window_start TIMESTAMP(3), window_end TIMESTAMP(3), device STRING,"
                                + " os_version STRING, total_downloads BIGINT,"
                                + " successful_downloads BIGINT, failed_downloads BIGINT,"
                                + " avg_speed_mbps DOUBLE, avg_duration_seconds DOUBLE,"
                                + " PRIMARY KEY (device, os_version, window_start) NOT ENFORCED",
                        url,
                        user,
                        password));

        String counts =
                "COUNT(*), CAST(SUM(CASE WHEN status = 'SUCCESS' THEN 1 ELSE 0 END) AS BIGINT),"
                        + " CAST(SUM(CASE WHEN status = 'FAILED' THEN 1 ELSE 0 END) AS BIGINT)";
        String averages = "AVG(speed_mbps), AVG(CAST(duration_seconds AS DOUBLE))";
        StreamStatementSet set = tEnv.createStatementSet();
        set.addInsertSql(
                "INSERT INTO pg_content_stats SELECT window_start, window_end, content_id,"
                        + " MAX(title), "
                        + counts
                        + ", CAST(SUM(CASE WHEN status = 'SUCCESS' THEN CAST(size_mb AS BIGINT)"
                        + " ELSE 0 END) AS DOUBLE) / 1024 FROM windowed"
                        + " GROUP BY window_start, window_end, content_id");
        set.addInsertSql(
                "INSERT INTO pg_region_health SELECT window_start, window_end, region, "
                        + counts
                        + ", CAST(SUM(CASE WHEN status = 'SUCCESS' THEN 1 ELSE 0 END) AS DOUBLE)"
                        + " / COUNT(*), "
                        + averages
                        + " FROM windowed GROUP BY window_start, window_end, region");
        set.addInsertSql(
                "INSERT INTO pg_device_stats SELECT window_start, window_end, device, os_version, "
                        + counts
                        + ", "
                        + averages
                        + " FROM windowed GROUP BY window_start, window_end, device, os_version");
        set.attachAsDataStream();
    }

    private static Row toRow(Download d) {
        return Row.of(
                d.timestamp(),
                d.contentId(),
                d.title(),
                d.region(),
                d.device(),
                d.osVersion(),
                d.status().name(),
                d.durationSeconds(),
                d.speedMicros() / 1e6,
                d.sizeMb());
    }

    private static String sinkDdl(
            String name, String table, String columns, String url, String user, String password) {
        return "CREATE TEMPORARY TABLE "
                + name
                + " ("
                + columns
                + ") WITH ('connector' = 'jdbc', 'url' = '"
                + url
                + "', 'table-name' = '"
                + table
                + "', 'username' = '"
                + user
                + "', 'password' = '"
                + password
                + "', 'sink.buffer-flush.max-rows' = '5000', 'sink.buffer-flush.interval' = '1s')";
    }
}
