package com.streampulse.job.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.alerting.Webhook.Notified;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.it.Pipeline;
import com.streampulse.job.it.TestEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Alert changes written by the job reach a real Alertmanager, which notifies a webhook: a region's
 * error rate raises HIGH_ERROR_RATE alerts (region and content), late successes resolve them, and
 * the notifications end as the {@code alerts} table says. Then Alertmanager is down for 30 s while
 * another region raises its alerts, and the job (stopped with a savepoint) and the sender are
 * restarted in the outage: once Alertmanager is back every change arrives, none is lost.
 */
class AlertDeliveryIT {

    @RegisterExtension static final MiniClusterExtension FLINK = Pipeline.miniCluster();

    private static final Instant T0 = Instant.parse("2025-01-15T10:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    private static Pipeline pipeline;
    private static Webhook webhook;
    private static AlertmanagerServer alertmanager;

    @BeforeAll
    static void start() throws Exception {
        webhook = new Webhook();
        alertmanager = new AlertmanagerServer(webhook.url());
        pipeline = new Pipeline();
    }

    @AfterAll
    static void stop() throws Exception {
        if (alertmanager != null) {
            alertmanager.close();
        }
        if (webhook != null) {
            webhook.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void everyAlertChangeArrivesThroughAnOutageAndARestart() throws Exception {
        pipeline.reset();
        alertmanager.start();
        JobConfig config = pipeline.config();
        JobClient job = submit(config, null);
        AlertSender sender = new AlertSender(senderConfig(config));
        sender.start();
        try {
            // Raised, then resolved by late successes, with Alertmanager up.
            pipeline.send(failing("EU-Paris", 0));
            awaitAgreement(rows -> rows.containsKey(identity("EU-Paris", 0)));
            assertThat(lastStatus(identity("EU-Paris", 0), "critical")).isEqualTo("firing");
            pipeline.send(successes("EU-Paris", 0));
            awaitAgreement(rows -> "resolved".equals(rows.get(identity("EU-Paris", 0))));

            // Raised while Alertmanager is down; the job and the sender restart in the outage.
            alertmanager.stop();
            Instant down = Instant.now();
            pipeline.send(failing("EU-Berlin", 1));
            awaitUndeliveredAfterAFailedAttempt();
            Path savepoints = Files.createTempDirectory("alerting-savepoints");
            String savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    savepoints.toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get();
            sender.stop();
            job = submit(config, savepoint);
            sender = new AlertSender(senderConfig(config));
            sender.start();
            Thread.sleep(
                    Math.max(
                            0,
                            OUTAGE.toMillis() - Duration.between(down, Instant.now()).toMillis()));
            alertmanager.start();

            awaitAgreement(rows -> "firing".equals(rows.get(identity("EU-Berlin", 1))));
            pipeline.send(successes("EU-Berlin", 1));
            awaitAgreement(rows -> "resolved".equals(rows.get(identity("EU-Berlin", 1))));

            // What a receiver gets, for the README.
            Path out = Files.createDirectories(Path.of("target/alert-delivery"));
            Files.write(out.resolve("notifications.jsonl"), webhook.bodies());
            // Every row of the table was raised and resolved, and Alertmanager said both.
            Map<String, String> rows = alertRows();
            assertThat(rows).hasSize(4).containsValues("resolved").doesNotContainValue("firing");
            for (String identity : rows.keySet()) {
                assertThat(statuses(identity)).as(identity).contains("firing").endsWith("resolved");
            }
        } finally {
            sender.stop();
            job.cancel().get();
        }
    }

    /** Ten downloads late in the minute, three failed: a success rate of 0.7 is CRITICAL. */
    private static List<TestEvent> failing(String region, int minute) {
        List<TestEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            var e =
                    TestEvent.at(at(minute, 50 + i))
                            .region(region)
                            .content(contentOf(region), "T", 100);
            events.add((i < 3 ? e.failed() : e).to(1));
        }
        return events;
    }

    /**
     * Thirty late successes in the same window, on the same partition (event time is per
     * partition): 37 of 40 succeed, both alerts resolve.
     */
    private static List<TestEvent> successes(String region, int minute) {
        List<TestEvent> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            events.add(
                    TestEvent.at(at(minute, 20 + i))
                            .region(region)
                            .content(contentOf(region), "T", 100)
                            .to(1));
        }
        return events;
    }

    private static String contentOf(String region) {
        return "mov_" + region.toLowerCase();
    }

    private static Instant at(int minute, int second) {
        return T0.plusSeconds(minute * 60L + second);
    }

    private static String identity(String region, int minute) {
        return "HIGH_ERROR_RATE " + region + " " + at(minute, 0);
    }

    private static JobClient submit(JobConfig config, String savepoint) throws Exception {
        StreamExecutionEnvironment env =
                pipeline.job(config, StreamPulseJob.kafkaSource(config.kafka()));
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("alert-delivery");
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return env.executeAsync(graph);
    }

    private static AlertSenderConfig senderConfig(JobConfig config) {
        return new AlertSenderConfig(
                alertmanager.url(),
                config.postgres(),
                Duration.ofMillis(200),
                Duration.ofMillis(200),
                Duration.ofSeconds(2),
                Duration.ofHours(1),
                Duration.ofHours(1),
                100,
                "docs/runbooks");
    }

    /**
     * Waits until {@code done} holds for the table's rows (identity to firing or resolved) and
     * Alertmanager's notifications agree with every row, with nothing left in the outbox.
     */
    private static void awaitAgreement(java.util.function.Predicate<Map<String, String>> done)
            throws Exception {
        Instant deadline = Instant.now().plus(TIMEOUT);
        String disagreement;
        do {
            Map<String, String> rows = alertRows();
            disagreement = done.test(rows) ? disagreement(rows) : "rows not there yet: " + rows;
            if (disagreement == null) {
                return;
            }
            Thread.sleep(200);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError(disagreement + "\nnotified: " + webhook.received());
    }

    /** Null when every row's state is the last one Alertmanager notified for it. */
    private static String disagreement(Map<String, String> rows) throws Exception {
        if (undelivered() > 0) {
            return undelivered() + " changes not delivered";
        }
        Map<String, String> severities = severities();
        for (Map.Entry<String, String> row : rows.entrySet()) {
            String identity = row.getKey();
            Map<String, String> last = lastBySeverity(identity);
            boolean agrees =
                    row.getValue().equals("firing")
                            ? "firing".equals(last.get(severities.get(identity)))
                                    && last.entrySet().stream()
                                            .filter(
                                                    e ->
                                                            !e.getKey()
                                                                    .equals(
                                                                            severities.get(
                                                                                    identity)))
                                            .allMatch(e -> e.getValue().equals("resolved"))
                            : !last.isEmpty() && !last.containsValue("firing");
            if (!agrees) {
                return identity + " is " + row.getValue() + " but notified " + last;
            }
        }
        return null;
    }

    private static String lastStatus(String identity, String severity) {
        return lastBySeverity(identity).get(severity);
    }

    private static Map<String, String> lastBySeverity(String identity) {
        Map<String, String> last = new HashMap<>();
        for (Notified n : webhook.received()) {
            if (identity(n).equals(identity)) {
                last.put(n.labels().get("severity"), n.status());
            }
        }
        return last;
    }

    private static List<String> statuses(String identity) {
        return webhook.received().stream()
                .filter(n -> identity(n).equals(identity))
                .map(Notified::status)
                .toList();
    }

    private static String identity(Notified n) {
        Map<String, String> l = n.labels();
        return l.get("alertname") + " " + l.get("scope_key") + " " + l.get("window_start");
    }

    /** Each alert row's identity and state. */
    private static Map<String, String> alertRows() throws Exception {
        Map<String, String> rows = new HashMap<>();
        query(
                "SELECT alert_type, scope_key, window_start, resolved_at IS NULL FROM alerts",
                r ->
                        rows.put(
                                r.getString(1)
                                        + " "
                                        + r.getString(2)
                                        + " "
                                        + r.getTimestamp(3).toInstant(),
                                r.getBoolean(4) ? "firing" : "resolved"));
        return rows;
    }

    private static Map<String, String> severities() throws Exception {
        Map<String, String> severities = new HashMap<>();
        query(
                "SELECT alert_type, scope_key, window_start, lower(severity) FROM alerts",
                r ->
                        severities.put(
                                r.getString(1)
                                        + " "
                                        + r.getString(2)
                                        + " "
                                        + r.getTimestamp(3).toInstant(),
                                r.getString(4)));
        return severities;
    }

    private static long undelivered() throws Exception {
        long[] n = {0};
        query(
                "SELECT count(*) FROM alert_outbox WHERE delivered_at IS NULL",
                r -> n[0] = r.getLong(1));
        return n[0];
    }

    /** Until the sender has tried and failed to deliver the outage's changes at least once. */
    private static void awaitUndeliveredAfterAFailedAttempt() throws Exception {
        Instant deadline = Instant.now().plus(TIMEOUT);
        long[] failed = {0};
        while (failed[0] == 0 && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            query(
                    "SELECT count(*) FROM alert_outbox WHERE delivered_at IS NULL AND attempts > 0"
                            + " AND region = 'EU-Berlin'",
                    r -> failed[0] = r.getLong(1));
        }
        assertThat(failed[0])
                .as("the sender tried in the outage; alerts %s, outbox %s", alertRows(), outbox())
                .isPositive();
    }

    private static List<String> outbox() throws Exception {
        List<String> rows = new ArrayList<>();
        query(
                "SELECT state, scope_key, window_start, attempts, delivered_at IS NOT NULL"
                        + " FROM alert_outbox ORDER BY id",
                r ->
                        rows.add(
                                r.getString(1)
                                        + " "
                                        + r.getString(2)
                                        + " "
                                        + r.getTimestamp(3)
                                        + " attempts "
                                        + r.getInt(4)
                                        + " delivered "
                                        + r.getBoolean(5)));
        return rows;
    }

    private interface Rows {
        void accept(ResultSet r) throws Exception;
    }

    private static void query(String sql, Rows each) throws Exception {
        try (Connection c = pipeline.db().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                each.accept(r);
            }
        }
    }
}
