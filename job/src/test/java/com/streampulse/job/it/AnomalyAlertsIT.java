package com.streampulse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.job.StreamPulseJob;
import com.streampulse.job.anomaly.AnomalySettings;
import com.streampulse.job.config.JobConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Anomaly alerts on real Kafka and PostgreSQL, row for row against {@link AnomalyOracle}: sixteen
 * minutes of seeded traffic in two regions with a volume surge, a speed collapse and an error spike
 * after the warm-up; then late successes that resolve the error spike and its slow average (each
 * late firing moves them one way only, so every intermediate verdict is overwritten) and swell its
 * volume into an anomaly of its own.
 */
class AnomalyAlertsIT {

    @RegisterExtension static final MiniClusterExtension FLINK = Pipeline.miniCluster();

    static final Instant T0 = Instant.parse("2025-02-01T10:00:00Z");
    static final Duration TIMEOUT = Duration.ofSeconds(120);
    static final int MINUTES = 16;
    static final int WARM_UP = 4;
    static final int VOLUME_SURGE = 10; // US-Texas
    static final int SLOW = 12; // US-Texas
    static final int ERROR_SPIKE = MINUTES - 1; // EU-Paris, resolved by late data

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
    void anomalyRowsAreExactlyTheOraclesBeforeAndAfterLateData() throws Exception {
        pipeline.reset();
        JobConfig config =
                pipeline.config(
                        "--anomaly-warmup-windows=" + WARM_UP, "--fixed-alerts-enabled=false");
        AnomalySettings s = config.features().anomaly();
        AnomalyOracle oracle =
                new AnomalyOracle(
                        config.windowSize().toMillis(),
                        config.allowedLateness().toMillis(),
                        s.alpha(),
                        s.warmUpWindows(),
                        s.minEvents(),
                        s.warningSigmas(),
                        s.criticalSigmas());
        JobClient job =
                pipeline.job(config, StreamPulseJob.kafkaSource(config.kafka()))
                        .executeAsync("anomalies");
        try {
            List<TestEvent> onTime = traffic(new Random(16));
            pipeline.send(onTime);
            List<String> expected = oracle.alerts(events(onTime), List.of());
            assertThat(expected)
                    .as("the case raises every kind")
                    .anySatisfy(r -> assertThat(r).startsWith("ANOMALY_VOLUME|"))
                    .anySatisfy(r -> assertThat(r).startsWith("ANOMALY_SPEED|"))
                    .anySatisfy(r -> assertThat(r).startsWith("ANOMALY_ERROR_RATE|"));
            assertThat(awaitAlerts(expected)).isEqualTo(expected);

            List<TestEvent> late = new ArrayList<>();
            for (int i = 0; i < 160; i++) {
                late.add(
                        TestEvent.at(at(ERROR_SPIKE, 30 + i * 0.15))
                                .region("EU-Paris")
                                .speed(32f)
                                .userId("late-" + i)
                                .to(0));
            }
            pipeline.send(late);
            List<String> resolved = oracle.alerts(events(onTime), events(late));
            assertThat(resolved)
                    .as("the late successes resolve the error spike")
                    .anySatisfy(
                            r ->
                                    assertThat(r)
                                            .startsWith("ANOMALY_ERROR_RATE|")
                                            .contains("EU-Paris|" + at(ERROR_SPIKE, 0))
                                            .endsWith("|resolved"));
            assertThat(awaitAlerts(resolved)).isEqualTo(resolved);
        } finally {
            job.cancel().get();
        }
    }

    private static List<String> awaitAlerts(List<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> actual = AnomalyOracle.read(pipeline.db().dataSource());
        while (!actual.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            actual = AnomalyOracle.read(pipeline.db().dataSource());
        }
        return actual;
    }

    /** EU-Paris on partition 0, US-Texas on 1, 40-60 downloads a minute each, in time order. */
    static List<TestEvent> traffic(Random random) {
        List<TestEvent> events = new ArrayList<>();
        for (int minute = 0; minute < MINUTES; minute++) {
            events.addAll(minute(random, minute, "EU-Paris", 0));
            events.addAll(minute(random, minute, "US-Texas", 1));
        }
        return events;
    }

    private static List<TestEvent> minute(Random random, int minute, String region, int p) {
        boolean texas = region.equals("US-Texas");
        int n = texas && minute == VOLUME_SURGE ? 150 : 40 + random.nextInt(21);
        double failures = !texas && minute == ERROR_SPIKE ? 0.5 : 0.1;
        List<TestEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Speeds in half Mbps, exact in float, so every sum is exact.
            float speed =
                    texas && minute == SLOW
                            ? 8 + random.nextInt(9) * 0.5f
                            : 28 + random.nextInt(17) * 0.5f;
            var e =
                    TestEvent.at(at(minute, (i + 0.5) * 60.0 / n))
                            .region(region)
                            .speed(speed)
                            .userId("user-" + random.nextInt(500));
            if (random.nextDouble() < failures) {
                e.failed();
            }
            events.add(e.to(p));
        }
        return events;
    }

    private static Instant at(int minute, double seconds) {
        return T0.plusMillis(minute * 60_000L + Math.round(seconds * 1000));
    }

    private static List<ContentDownloadEvent> events(List<TestEvent> records) {
        return records.stream().map(TestEvent::event).toList();
    }
}
