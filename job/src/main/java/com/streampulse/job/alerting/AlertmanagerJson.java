package com.streampulse.job.alerting;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The body of Alertmanager's {@code POST /api/v2/alerts} for a list of alert changes.
 *
 * <p>An alert's identity in Alertmanager is its label set, so the labels hold what names one row of
 * {@code alerts}: the type, the scope and its key, the window, plus the severity (which routes).
 * Alertmanager groups by any of them ({@code group_by: [alertname, region]} pages once per region)
 * and de-duplicates a resend of the same labels. A change of severity is two alerts there: the old
 * severity resolved, the new one firing. A resolved alert carries {@code endsAt}; a firing one does
 * not, so Alertmanager keeps it until its {@code resolve_timeout} unless the sender refreshes it.
 */
final class AlertmanagerJson {

    private AlertmanagerJson() {}

    static String body(List<AlertChange> changes, String runbookBaseUrl) {
        StringBuilder json = new StringBuilder("[");
        for (AlertChange c : changes) {
            if (c.previousSeverity() != null) {
                alert(json, c, c.previousSeverity(), false, runbookBaseUrl);
            }
            alert(json, c, c.severity(), c.firing(), runbookBaseUrl);
        }
        return json.append(']').toString();
    }

    /** The labels that name an alert row in Alertmanager, with the given severity. */
    static Map<String, String> labels(AlertChange c, String severity) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", c.alertType());
        labels.put("severity", severity.toLowerCase(Locale.ROOT));
        labels.put("scope", c.scope());
        labels.put("scope_key", c.scopeKey());
        if (c.region() != null) {
            labels.put("region", c.region());
        }
        if (c.contentId() != null) {
            labels.put("content_id", c.contentId());
        }
        labels.put("window_start", c.windowStart().toString());
        labels.put("source", "streampulse");
        return labels;
    }

    /** docs/runbooks/high-error-rate.md for HIGH_ERROR_RATE; one page for the anomaly types. */
    static String runbookUrl(String baseUrl, String alertType) {
        String page =
                alertType.startsWith("ANOMALY_")
                        ? "anomaly"
                        : alertType.toLowerCase(Locale.ROOT).replace('_', '-');
        return baseUrl + "/" + page + ".md";
    }

    private static void alert(
            StringBuilder json,
            AlertChange c,
            String severity,
            boolean firing,
            String runbookBaseUrl) {
        if (json.length() > 1) {
            json.append(',');
        }
        json.append("{\"labels\":");
        object(json, labels(c, severity));
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", c.message());
        annotations.put("metric_name", c.metricName());
        annotations.put("metric_value", Double.toString(c.metricValue()));
        annotations.put("threshold_value", Double.toString(c.thresholdValue()));
        annotations.put("window_end", c.windowEnd().toString());
        annotations.put("runbook_url", runbookUrl(runbookBaseUrl, c.alertType()));
        json.append(",\"annotations\":");
        object(json, annotations);
        json.append(",\"startsAt\":");
        string(json, (firing ? c.changedAt() : c.windowStart()).toString());
        if (!firing) {
            json.append(",\"endsAt\":");
            string(json, c.changedAt().toString());
        }
        json.append('}');
    }

    private static void object(StringBuilder json, Map<String, String> fields) {
        json.append('{');
        boolean first = true;
        for (Map.Entry<String, String> f : fields.entrySet()) {
            if (!first) {
                json.append(',');
            }
            first = false;
            string(json, f.getKey());
            json.append(':');
            string(json, f.getValue());
        }
        json.append('}');
    }

    private static void string(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        json.append(ch);
                    }
                }
            }
        }
        json.append('"');
    }
}
