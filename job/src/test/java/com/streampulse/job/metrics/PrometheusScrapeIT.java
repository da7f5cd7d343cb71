package com.streampulse.job.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.config.JobConfig;
import com.streampulse.job.it.Pipeline;
import com.streampulse.job.it.TestEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job on a MiniCluster with Flink's Prometheus reporter on, as the image runs it, scraped by a
 * real Prometheus: every Flink metric named in the README's metrics table is there, every PromQL
 * query of the operations dashboard returns series, and every metric the chart's PrometheusRule
 * reads exists. (The autoscaler's own metrics come from its process, not from Flink: its panels are
 * left out here, and its /metrics is tested in the autoscaler module.)
 */
class PrometheusScrapeIT {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final int REPORTER_PORT = port();
    private static final Instant T0 = Instant.parse("2025-01-15T10:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern FLINK_METRIC = Pattern.compile("\\bflink_[A-Za-z_]+");

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(reporter())
                            .build());

    private static Pipeline pipeline;

    @BeforeAll
    static void start() {
        pipeline = new Pipeline();
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    @Test
    void everyDocumentedMetricAndEveryDashboardQueryHasSeries() throws Exception {
        pipeline.reset();
        JobConfig config = pipeline.config();
        JobClient job =
                pipeline.job(config, StreamPulseJob.kafkaSource(config.kafka()))
                        .executeAsync("prometheus-scrape");
        try (PrometheusServer prometheus =
                new PrometheusServer("127.0.0.1:" + REPORTER_PORT, "streampulse")) {
            // A raised alert, then late successes that resolve it: both verdict counters appear.
            List<TestEvent> events = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                var e = TestEvent.at(T0.plusSeconds(50 + i)).region("EU-Paris");
                events.add((i < 3 ? e.failed() : e).to(1));
            }
            events.add(TestEvent.raw(0, "not avro".getBytes()));
            pipeline.send(events);
            pipeline.awaitTables(s -> !s.alerts().isEmpty(), TIMEOUT);
            List<TestEvent> late = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                late.add(TestEvent.at(T0.plusSeconds(20 + i)).region("EU-Paris").to(1));
            }
            pipeline.send(late);

            Set<String> expected = new TreeSet<>();
            expected.addAll(documentedFlinkMetrics());
            expected.addAll(
                    names(read("helm/streampulse/templates/monitoring/prometheusrule.yaml")));
            List<String> queries = dashboardQueries();

            Instant deadline = Instant.now().plus(TIMEOUT);
            List<String> missing;
            do {
                Thread.sleep(1000);
                missing = new ArrayList<>();
                for (String metric : expected) {
                    if (prometheus.query(metric + "{namespace=\"streampulse\"}").isEmpty()) {
                        missing.add(metric);
                    }
                }
                for (String query : queries) {
                    if (prometheus.query(query).isEmpty()) {
                        missing.add(query);
                    }
                }
            } while (!missing.isEmpty() && Instant.now().isBefore(deadline));

            assertThat(missing)
                    .as(
                            "metrics and dashboard queries without series; exported: %s",
                            prometheus.query(
                                    "count by (__name__) ({__name__=~\"flink_.*streampulse.*\"})"))
                    .isEmpty();
            assertThat(expected)
                    .as("the README table and the rules name metrics")
                    .hasSizeGreaterThan(15);
            assertThat(queries).hasSizeGreaterThan(10);
        } finally {
            job.cancel().get();
        }
    }

    /** The Flink metric names in the README's metrics table (first column). */
    private static Set<String> documentedFlinkMetrics() {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `(flink_[A-Za-z_]+)`").matcher(read("README.md"));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The operations dashboard's PromQL, for this test's namespace, but the autoscaler's. */
    private static List<String> dashboardQueries() throws IOException {
        JsonNode dashboard =
                new ObjectMapper()
                        .readTree(
                                read("helm/streampulse/files/dashboards/operations.json")
                                        .replace("__NAMESPACE__", "streampulse"));
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                if (!expr.contains("streampulse_autoscaler_")) {
                    queries.add(expr);
                }
            }
        }
        return queries;
    }

    private static Set<String> names(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = FLINK_METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static String read(String relative) {
        try {
            return Files.readString(REPO.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Configuration reporter() {
        Configuration conf = new Configuration();
        conf.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", Integer.toString(REPORTER_PORT));
        return conf;
    }

    private static int port() {
        try {
            return PrometheusServer.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
