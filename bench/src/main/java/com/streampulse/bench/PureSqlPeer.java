package com.streampulse.bench;

import com.streampulse.job.config.JobConfig;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * The peer a Flink SQL user would write, and nothing of ours: a Kafka table in the {@code avro}
 * format declared after the wire schema, the watermark in the DDL, three {@code TUMBLE} window
 * aggregations, JDBC upsert sinks into the same PostgreSQL tables, mini-batch and two-phase
 * aggregation on. It reads the topic up to the end it has at the start.
 *
 * <p>It does less than the job: no alerts, no allowed lateness, no rejected events, and the {@code
 * avro} format fails on an undecodable record, so it is compared on clean data.
 */
final class PureSqlPeer {

    private PureSqlPeer() {}

    static StreamExecutionEnvironment build(JobConfig config, int parallelism) {
        StreamExecutionEnvironment env = Scenarios.environment(parallelism);
        com.streampulse.job.StreamPulseJob.configure(env, config);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        Configuration tc = tEnv.getConfig().getConfiguration();
        tc.setString("table.exec.mini-batch.enabled", "true");
        tc.setString("table.exec.mini-batch.allow-latency", "1 s");
        tc.setString("table.exec.mini-batch.size", "5000");
        tc.setString("table.optimizer.agg-phase-strategy", "TWO_PHASE");
        tc.setString("table.local-time-zone", "UTC");
        // The job's generic-types ban would refuse the planner's internal types.
        tc.setString("pipeline.generic-types", "true");

        long ooo = config.outOfOrderness().toMillis();
        tEnv.executeSql(
                "CREATE TEMPORARY TABLE downloads (event_id STRING NOT NULL, `timestamp` BIGINT NOT"
                        + " NULL, user_id STRING NOT NULL, content ROW<content_id STRING NOT NULL,"
                        + " title STRING NOT NULL, type STRING NOT NULL, category STRING NOT NULL,"
                        + " size_mb INT NOT NULL, price FLOAT NOT NULL> NOT NULL, download"
                        + " ROW<status STRING NOT NULL, duration_seconds INT NOT NULL, speed_mbps"
                        + " FLOAT NOT NULL, error_code STRING, error_message STRING> NOT NULL,"
                        + " user_context ROW<region STRING NOT NULL, city STRING NOT NULL, device"
                        + " STRING NOT NULL, os_version STRING NOT NULL, connection_type STRING NOT"
                        + " NULL> NOT NULL, rowtime AS TO_TIMESTAMP_LTZ(`timestamp`, 3), WATERMARK"
                        + " FOR rowtime AS rowtime - INTERVAL '"
                        + String.format("%d.%03d", ooo / 1000, ooo % 1000)
                        + "' SECOND) WITH ('connector' = 'kafka', 'topic' = '"
                        + config.kafka().topic()
                        + "', 'properties.bootstrap.servers' = '"
                        + config.kafka().clientProperties().getProperty("bootstrap.servers")
                        + "', 'properties.group.id' = '"
                        + config.kafka().groupId()
                        + "-sql', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' ="
                        + " 'latest-offset', 'format' = 'avro')");
        tEnv.executeSql(
                "CREATE TEMPORARY VIEW windowed AS SELECT content.content_id AS content_id,"
                        + " content.title AS title, content.size_mb AS size_mb,"
                        + " user_context.region AS region, user_context.device AS device,"
                        + " user_context.os_version AS os_version, UPPER(download.status) AS"
                        + " status, download.duration_seconds AS duration_seconds,"
                        + " download.speed_mbps AS speed_mbps, window_start, window_end FROM"
                        + " TABLE(TUMBLE(TABLE downloads, DESCRIPTOR(rowtime), INTERVAL '"
                        + config.windowSize().toSeconds()
                        + "' SECOND))");
        String url = config.postgres().jdbcUrl();
        String user = config.postgres().user();
        String password = config.postgres().password().value();
        tEnv.executeSql(
                sink(
                        "pg_content_stats",
                        "content_stats",
                        "window_start TIMESTAMP(3), window_end TIMESTAMP(3), content_id STRING,"
                                + " title STRING, download_count BIGINT, successful_downloads"
                                + " BIGINT, failed_downloads BIGINT, total_size_gb DOUBLE, PRIMARY"
                                + " KEY (content_id, window_start) NOT ENFORCED",
                        url,
                        user,
                        password));
        tEnv.executeSql(
                sink(
                        "pg_region_health",
                        "region_health",
                        "window_start TIMESTAMP(3), window_end TIMESTAMP(3), region STRING,"
                                + " total_downloads BIGINT, successful_downloads BIGINT,"
                                + " failed_downloads BIGINT, success_rate DOUBLE, avg_speed_mbps"
                                + " DOUBLE, avg_duration_seconds DOUBLE, PRIMARY KEY (region,"
                                + " window_start) NOT ENFORCED",
                        url,
                        user,
                        password));
        tEnv.executeSql(
                sink(
                        "pg_device_stats",
                        "device_stats",
                        "window_start TIMESTAMP(3), window_end TIMESTAMP(3), device STRING,"
                                + " os_version STRING, total_downloads BIGINT,"
                                + " successful_downloads BIGINT, failed_downloads BIGINT,"
                                + " avg_speed_mbps DOUBLE, avg_duration_seconds DOUBLE, PRIMARY KEY"
                                + " (device, os_version, window_start) NOT ENFORCED",
                        url,
                        user,
                        password));
        String counts =
                "COUNT(*), SUM(CASE WHEN status = 'SUCCESS' THEN 1 ELSE 0 END), SUM(CASE WHEN"
                        + " status = 'FAILED' THEN 1 ELSE 0 END)";
        String averages = "AVG(CAST(speed_mbps AS DOUBLE)), AVG(CAST(duration_seconds AS DOUBLE))";
        StatementSet set = tEnv.createStatementSet();
        set.addInsertSql(
                "INSERT INTO pg_content_stats SELECT window_start, window_end, content_id,"
                        + " MAX(title), "
                        + counts
                        + ", SUM(CASE WHEN status = 'SUCCESS' THEN CAST(size_mb AS DOUBLE) ELSE 0"
                        + " END) / 1024 FROM windowed GROUP BY window_start, window_end,"
                        + " content_id");
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
        ((org.apache.flink.table.api.bridge.java.StreamStatementSet) set).attachAsDataStream();
        return env;
    }

    private static String sink(
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
