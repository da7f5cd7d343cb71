package com.streampulse.job.alerting;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the alert outbox to Alertmanager's v2 API, oldest change first, and marks each batch
 * delivered once Alertmanager accepted it. While Alertmanager (or PostgreSQL) is unreachable it
 * retries the same batch with exponential backoff, so nothing is skipped; a crash between the post
 * and the mark resends the batch, which Alertmanager de-duplicates by labels. With the outbox empty
 * it refreshes the alerts still firing every resend interval, as Prometheus does, so Alertmanager
 * does not time them out.
 *
 * <p>{@link #start()} and {@link #stop()} are safe to call twice.
 */
public final class AlertSender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertSender.class);

    private final AlertSenderConfig config;
    private final AlertOutbox outbox;
    private final HttpClient http;
    private final URI endpoint;
    private Thread thread;
    private volatile boolean running;

    public AlertSender(AlertSenderConfig config) {
        this.config = config;
        Properties props = new Properties();
        props.setProperty("user", config.postgres().user());
        props.setProperty("password", config.postgres().password().value());
        String url = config.postgres().jdbcUrl();
        this.outbox = new AlertOutbox(() -> DriverManager.getConnection(url, props));
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.endpoint = URI.create(config.alertmanagerUrl() + "/api/v2/alerts");
    }

    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "alert-sender");
        thread.setDaemon(true);
        thread.start();
        LOG.info("Delivering alert changes to {}/api/v2/alerts", config.alertmanagerForLogs());
    }

    public synchronized void stop() {
        if (thread == null) {
            return;
        }
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
    }

    @Override
    public void close() {
        stop();
    }

    private void run() {
        Duration backoff = config.initialBackoff();
        Instant nextResend = Instant.now().plus(config.resendInterval());
        while (running) {
            Duration pause;
            try {
                int sent = deliverPending();
                if (sent == 0 && !Instant.now().isBefore(nextResend)) {
                    post(outbox.active(config.resendHorizon().toSeconds()));
                    nextResend = Instant.now().plus(config.resendInterval());
                }
                backoff = config.initialBackoff();
                pause = sent == config.batchSize() ? Duration.ZERO : config.pollInterval();
            } catch (IOException | SQLException e) {
                LOG.warn(
                        "Alert delivery failed, retrying in {} ms: {}",
                        backoff.toMillis(),
                        e.toString());
                pause = backoff;
                backoff = min(backoff.multipliedBy(2), config.maxBackoff());
            }
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Sends one batch of pending changes; how many were delivered. */
    int deliverPending() throws IOException, SQLException {
        List<AlertChange> batch = outbox.pending(config.batchSize());
        if (batch.isEmpty()) {
            return 0;
        }
        try {
            post(batch);
        } catch (IOException e) {
            outbox.failed(batch, e.toString());
            throw e;
        }
        outbox.delivered(batch);
        return batch.size();
    }

    private void post(List<AlertChange> changes) throws IOException {
        if (changes.isEmpty()) {
            return;
        }
        HttpRequest request =
                HttpRequest.newBuilder(endpoint)
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(
                                HttpRequest.BodyPublishers.ofString(
                                        AlertmanagerJson.body(changes, config.runbookBaseUrl())))
                        .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while posting to Alertmanager", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException(
                    "Alertmanager answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
