package com.streampulse.job.alerting;

import com.streampulse.config.ConfigException;
import com.streampulse.config.Settings;
import com.streampulse.job.config.PostgresSettings;
import java.net.URI;
import java.time.Duration;

/**
 * What the alert sender needs: where Alertmanager is (its one switch: no URL, no sender), how often
 * to look at the outbox, how to back off while Alertmanager is unreachable.
 */
public record AlertSenderConfig(
        URI alertmanagerUrl,
        PostgresSettings postgres,
        Duration pollInterval,
        Duration initialBackoff,
        Duration maxBackoff,
        Duration resendInterval,
        Duration resendHorizon,
        int batchSize,
        String runbookBaseUrl) {

    public static final String URL_VARIABLE = "ALERTMANAGER_URL";

    /** Alertmanager's URL for logs: any user:password in it masked. */
    public String alertmanagerForLogs() {
        String info = alertmanagerUrl.getRawUserInfo();
        return info == null
                ? alertmanagerUrl.toString()
                : alertmanagerUrl.toString().replace(info + "@", "******@");
    }

    /** Null when ALERTMANAGER_URL is not set: delivery is off. */
    public static AlertSenderConfig from(Settings settings) {
        return isOn(settings) ? from(settings, PostgresSettings.from(settings)) : null;
    }

    private static boolean isOn(Settings settings) {
        return settings.isSet(URL_VARIABLE) && !settings.string(URL_VARIABLE, "").isBlank();
    }

    /** The same, with the outbox in {@code postgres} (make run's own PostgreSQL). */
    public static AlertSenderConfig from(Settings settings, PostgresSettings postgres) {
        if (!isOn(settings)) {
            return null;
        }
        String url = settings.string(URL_VARIABLE, "");
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(URL_VARIABLE + " is not a URL: '" + url + "'");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new ConfigException(
                    URL_VARIABLE + " must start with http:// or https://, got '" + url + "'");
        }
        Duration initial =
                settings.duration(
                        "ALERT_RETRY_INITIAL_BACKOFF",
                        Duration.ofSeconds(1),
                        Duration.ofMillis(10));
        return new AlertSenderConfig(
                uri,
                postgres,
                settings.duration(
                        "ALERT_POLL_INTERVAL", Duration.ofSeconds(1), Duration.ofMillis(10)),
                initial,
                settings.duration("ALERT_RETRY_MAX_BACKOFF", Duration.ofMinutes(1), initial),
                settings.duration(
                        "ALERT_RESEND_INTERVAL", Duration.ofMinutes(1), Duration.ofSeconds(1)),
                settings.duration("ALERT_RESEND_HORIZON", Duration.ofHours(1), Duration.ZERO),
                settings.integer("ALERT_BATCH_SIZE", 100, 1, 10_000),
                settings.string("ALERT_RUNBOOK_BASE_URL", "docs/runbooks"));
    }
}
