package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.streampulse.testkit.EmbeddedPostgresDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every SQL query of the business dashboard (helm/streampulse/files/dashboards/business.json) runs
 * against a PostgreSQL migrated by the project's migrations, holding rows as the job writes them,
 * and returns exactly the rows a reader of the dashboard should see.
 */
class DashboardQueriesTest {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    private static final Instant W1 = NOW.minus(2, ChronoUnit.MINUTES);
    private static final Instant W0 = NOW.minus(3, ChronoUnit.MINUTES);
    private static final Instant OLD = NOW.minus(3, ChronoUnit.HOURS);
    private static final Instant ANCIENT = NOW.minus(12, ChronoUnit.HOURS);

    private static EmbeddedPostgresDb db;

    @BeforeAll
    static void startAndFill() throws Exception {
        db = EmbeddedPostgresDb.start();
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            for (String row :
                    List.of(
                            region("EU-Paris", W0, 100, 95, 0.95, 30),
                            region("EU-Paris", W1, 100, 75, 0.75, 30),
                            region("ASIA-Tokyo", W1, 50, 48, 0.96, 6.5),
                            region("US-California", W1, 200, 196, 0.98, 42),
                            region("US-California", OLD, 10, 10, 1.0, 40),
                            region("US-California", ANCIENT, 10, 0, 0.0, 40))) {
                s.execute(
                        "INSERT INTO region_health (region, window_start, window_end,"
                                + " total_downloads, successful_downloads, failed_downloads,"
                                + " success_rate, avg_speed_mbps, avg_duration_seconds) VALUES "
                                + row);
            }
            for (String row :
                    List.of(
                            content("mov_a", "A", W0, 30, 2.0),
                            content("mov_a", "A", W1, 20, 1.5),
                            content("mov_b", "B", W1, 45, 3.25),
                            content("mov_c", "C", W1, 5, 0.5),
                            content("mov_d", "D", OLD, 999, 9.0))) {
                s.execute(
                        "INSERT INTO content_stats (content_id, title, window_start, window_end,"
                                + " download_count, successful_downloads, failed_downloads,"
                                + " total_size_gb) VALUES "
                                + row);
            }
            s.execute(alert("HIGH_ERROR_RATE", "CRITICAL", "EU-Paris", W1, false, false));
            s.execute(alert("SLOW_DOWNLOADS", "WARNING", "ASIA-Tokyo", W1, false, false));
            s.execute(alert("HIGH_ERROR_RATE", "WARNING", "EU-Paris", W0, true, false));
            s.execute(alert("HIGH_ERROR_RATE", "WARNING", "EU-Berlin", W0, false, true));
            // Four raises and one resolution went to the outbox; the first two delivered.
            s.execute(
                    "UPDATE alert_outbox SET delivered_at = now(), attempts = 1 WHERE id IN"
                            + " (SELECT id FROM alert_outbox ORDER BY id LIMIT 2)");
            s.execute(
                    "UPDATE alert_outbox SET attempts = 3 WHERE delivered_at IS NULL AND"
                            + " scope_key = 'EU-Berlin'");
            s.execute(
                    "INSERT INTO rejected_events (source_topic, source_partition, source_offset,"
                            + " reason, detail, payload, received_at) VALUES"
                            + " ('t', 0, 1, 'MALFORMED', 'x', NULL, now()),"
                            + " ('t', 0, 2, 'MALFORMED', 'x', NULL, now()),"
                            + " ('t', 1, 7, 'LATE', 'x', NULL, now()),"
                            + " ('t', 1, 8, 'INVALID', 'x', NULL, now() - interval '2 hours')");
        }
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @Test
    void everyQueryOfTheBusinessDashboardReturnsTheExpectedRows() throws Exception {
        Map<String, String> sql = queries();
        assertThat(sql)
                .containsOnlyKeys(
                        "Region health (newest window per region)",
                        "Top content, last hour",
                        "Error rate by region",
                        "Active alerts",
                        "Rejected events by reason, last hour",
                        "Alert delivery to Alertmanager");

        assertThat(rows(sql.get("Region health (newest window per region)")))
                .containsExactly(
                        "EU-Paris|critical|100|0.75|30.0|" + W1,
                        "ASIA-Tokyo|degraded|50|0.96|6.5|" + W1,
                        "US-California|healthy|200|0.98|42.0|" + W1);
        assertThat(rows(sql.get("Top content, last hour")))
                .containsExactly("mov_a|A|50|50|3.50", "mov_b|B|45|45|3.25", "mov_c|C|5|5|0.50");
        assertThat(rows(sql.get("Error rate by region")))
                .containsExactly(
                        OLD + "|US-California|0.0",
                        W0 + "|EU-Paris|0.050000000000000044",
                        W1 + "|ASIA-Tokyo|0.040000000000000036",
                        W1 + "|EU-Paris|0.25",
                        W1 + "|US-California|0.020000000000000018");
        assertThat(rows(sql.get("Active alerts")))
                .containsExactly(
                        "CRITICAL|HIGH_ERROR_RATE|region|EU-Paris|HIGH_ERROR_RATE in EU-Paris|"
                                + W1,
                        "WARNING|SLOW_DOWNLOADS|region|ASIA-Tokyo|SLOW_DOWNLOADS in ASIA-Tokyo|"
                                + W1);
        assertThat(rows(sql.get("Rejected events by reason, last hour")))
                .containsExactly("LATE|1", "MALFORMED|2");
        assertThat(rows(sql.get("Alert delivery to Alertmanager")))
                .singleElement()
                .asString()
                .startsWith("3|2|3|");
    }

    @Test
    void theDashboardsAreValidGrafanaJsonWithPlaceholdersForWhatDiffersPerInstall()
            throws Exception {
        Project project = Project.fromBuild();
        for (String name : List.of("operations", "business")) {
            JsonNode dashboard =
                    new ObjectMapper()
                            .readTree(
                                    project.chart()
                                            .resolve("files/dashboards/" + name + ".json")
                                            .toFile());
            assertThat(dashboard.path("uid").asText()).isEqualTo("streampulse-" + name);
            assertThat(dashboard.path("panels")).isNotEmpty();
            for (JsonNode panel : dashboard.path("panels")) {
                assertThat(panel.at("/datasource/uid").asText())
                        .startsWith("__")
                        .endsWith("_UID__");
                assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            }
        }
    }

    /** Panel title to its SQL. */
    private static Map<String, String> queries() throws Exception {
        JsonNode dashboard =
                new ObjectMapper()
                        .readTree(
                                Project.fromBuild()
                                        .chart()
                                        .resolve("files/dashboards/business.json")
                                        .toFile());
        Map<String, String> sql = new LinkedHashMap<>();
        for (JsonNode panel : dashboard.path("panels")) {
            sql.put(panel.path("title").asText(), panel.at("/targets/0/rawSql").asText());
        }
        return sql;
    }

    /** Each row as its columns joined by |, timestamps as instants. */
    private static List<String> rows(String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            ResultSetMetaData meta = r.getMetaData();
            while (r.next()) {
                List<String> columns = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    Object value = r.getObject(i);
                    columns.add(
                            value instanceof Timestamp t
                                    ? t.toInstant().toString()
                                    : String.valueOf(value));
                }
                rows.add(String.join("|", columns));
            }
        }
        return rows;
    }

    private static String region(
            String region, Instant start, int total, int ok, double rate, double speed) {
        return String.format(
                "('%s', '%s', '%s', %d, %d, %d, %s, %s, 60)",
                region, start, start.plusSeconds(60), total, ok, total - ok, rate, speed);
    }

    private static String content(String id, String title, Instant start, int n, double gb) {
        return String.format(
                "('%s', '%s', '%s', '%s', %d, %d, 0, %s)",
                id, title, start, start.plusSeconds(60), n, n, gb);
    }

    private static String alert(
            String type,
            String severity,
            String region,
            Instant start,
            boolean acknowledged,
            boolean resolve) {
        String insert =
                String.format(
                        "INSERT INTO alerts (alert_type, severity, message, scope, scope_key,"
                                + " region, metric_name, metric_value, threshold_value,"
                                + " window_start, window_end, acknowledged) VALUES ('%s', '%s',"
                                + " '%s in %s', 'region', '%s', '%s', 'm', 0.5, 0.1, '%s', '%s',"
                                + " %s);",
                        type,
                        severity,
                        type,
                        region,
                        region,
                        region,
                        start,
                        start.plusSeconds(60),
                        acknowledged);
        return resolve
                ? insert
                        + " UPDATE alerts SET resolved_at = now() WHERE scope_key = '"
                        + region
                        + "'"
                : insert;
    }
}
