package com.streampulse.job.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The body posted to Alertmanager's /api/v2/alerts for alert changes. */
class AlertmanagerJsonTest {

    private static final Instant WINDOW = Instant.parse("2025-01-15T10:00:00Z");
    private static final Instant CHANGED = Instant.parse("2025-01-15T10:01:05Z");

    @Test
    void aRaiseIsOneFiringAlertWithoutEndsAtLabelledByItsRow() throws Exception {
        JsonNode alerts = post(change(true, "WARNING", null, "EU-Paris", null));

        assertThat(alerts).hasSize(1);
        JsonNode a = alerts.get(0);
        assertThat(a.path("labels").toString())
                .isEqualTo(
                        "{\"alertname\":\"HIGH_ERROR_RATE\",\"severity\":\"warning\","
                            + "\"scope\":\"region\",\"scope_key\":\"EU-Paris\","
                            + "\"region\":\"EU-Paris\",\"window_start\":\"2025-01-15T10:00:00Z\","
                            + "\"source\":\"streampulse\"}");
        assertThat(a.at("/annotations/runbook_url").asText())
                .isEqualTo("docs/runbooks/high-error-rate.md");
        assertThat(a.at("/annotations/summary").asText()).isEqualTo("line \"one\"\nline two");
        assertThat(a.path("startsAt").asText()).isEqualTo("2025-01-15T10:01:05Z");
        assertThat(a.has("endsAt")).isFalse();
    }

    @Test
    void aChangeOfSeverityResolvesTheOldSeverityAndFiresTheNewOne() throws Exception {
        JsonNode alerts = post(change(true, "CRITICAL", "WARNING", null, "mov_1"));

        assertThat(alerts).hasSize(2);
        assertThat(alerts.get(0).at("/labels/severity").asText()).isEqualTo("warning");
        assertThat(alerts.get(0).path("endsAt").asText()).isEqualTo("2025-01-15T10:01:05Z");
        assertThat(alerts.get(1).at("/labels/severity").asText()).isEqualTo("critical");
        assertThat(alerts.get(1).has("endsAt")).isFalse();
        assertThat(alerts.get(1).at("/labels/content_id").asText()).isEqualTo("mov_1");
        assertThat(alerts.get(1).at("/labels/region").isMissingNode()).isTrue();
    }

    @Test
    void aResolutionEndsAtTheChangeAndStartsBeforeIt() throws Exception {
        JsonNode a = post(change(false, "CRITICAL", null, "EU-Paris", null)).get(0);

        assertThat(a.path("startsAt").asText()).isEqualTo("2025-01-15T10:00:00Z");
        assertThat(a.path("endsAt").asText()).isEqualTo("2025-01-15T10:01:05Z");
    }

    @Test
    void anomalyTypesShareOneRunbook() {
        assertThat(AlertmanagerJson.runbookUrl("https://ops/runbooks", "ANOMALY_VOLUME"))
                .isEqualTo("https://ops/runbooks/anomaly.md");
        assertThat(AlertmanagerJson.runbookUrl("https://ops/runbooks", "SLOW_DOWNLOADS"))
                .isEqualTo("https://ops/runbooks/slow-downloads.md");
    }

    private static JsonNode post(AlertChange change) throws Exception {
        return new ObjectMapper().readTree(AlertmanagerJson.body(List.of(change), "docs/runbooks"));
    }

    private static AlertChange change(
            boolean firing, String severity, String previous, String region, String content) {
        return new AlertChange(
                1,
                firing,
                "HIGH_ERROR_RATE",
                severity,
                previous,
                "line \"one\"\nline two",
                region != null ? "region" : "content",
                region != null ? region : content,
                region,
                content,
                "error_rate",
                0.25,
                0.1,
                WINDOW,
                WINDOW.plusSeconds(60),
                CHANGED);
    }
}
