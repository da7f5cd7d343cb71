package com.streampulse.job.config;

import static com.streampulse.job.config.ConfigFixtures.KAFKA_SECRET;
import static com.streampulse.job.config.ConfigFixtures.PG_SECRET;
import static com.streampulse.job.config.ConfigFixtures.minimalEnv;
import static com.streampulse.job.config.ConfigFixtures.settings;
import static com.streampulse.job.config.ConfigFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.config.ConfigException;
import com.streampulse.config.Settings;
import com.streampulse.job.alerts.AlertThresholds;
import com.streampulse.job.anomaly.AnomalySettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JobConfigTest {

    @Test
    void featureSettingsAreValidatedLikeTheRest() {
        assertThatThrownBy(() -> JobConfig.from(with("TRENDING_WINDOW", "90s")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "TRENDING_WINDOW must be a multiple of WINDOW_SIZE (60000ms), got 90000ms");
        assertThatThrownBy(
                        () ->
                                JobConfig.from(
                                        with(
                                                "ANOMALY_WARNING_SIGMAS", "4",
                                                "ANOMALY_CRITICAL_SIGMAS", "3")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "ANOMALY_CRITICAL_SIGMAS must be at least ANOMALY_WARNING_SIGMAS (4.0), got"
                                + " 3.0");
        assertThatThrownBy(
                        () ->
                                JobConfig.from(
                                        with("ANOMALY_HOUR_OF_DAY", "true", "WINDOW_SIZE", "2h")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "ANOMALY_HOUR_OF_DAY needs a WINDOW_SIZE that divides an hour, got"
                                + " 7200000ms");
        assertThat(JobConfig.from(with("ANOMALY_HOUR_OF_DAY", "true")).features().anomaly())
                .isEqualTo(AnomalySettings.DEFAULTS.withHourOfDay(true));
        assertThat(JobConfig.from(with()).features().anomaly().hourOfDay()).isFalse();
        assertThatThrownBy(() -> JobConfig.from(with("TRENDING_TOP_N", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("TRENDING_TOP_N must be between 1 and 1000");
        Features f =
                JobConfig.from(
                                with(
                                        "WINDOW_SIZE", "5m",
                                        "SESSIONS_ENABLED", "true",
                                        "ANOMALY_ENABLED", "false",
                                        "SESSION_GAP", "10m",
                                        "SESSION_BUFFERED_USERS", "2000"))
                        .features();
        assertThat(f.trendingWindow()).isEqualTo(Duration.ofMinutes(75));
        assertThat(f.sessions()).isTrue();
        assertThat(f.anomaly().enabled()).isFalse();
        assertThat(f.sessionGap()).isEqualTo(Duration.ofMinutes(10));
        assertThat(f.sessionBufferedUsers()).isEqualTo(2000);
        assertThatThrownBy(() -> JobConfig.from(with("SESSION_BUFFERED_USERS", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("SESSION_BUFFERED_USERS must be between 1 and 100000000");
        assertThatThrownBy(
                        () ->
                                JobConfig.from(
                                        with(
                                                "WINDOW_SIZE", "5m",
                                                "SESSIONS_ENABLED", "true",
                                                "SESSION_GAP", "4m")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("SESSION_GAP must be at least WINDOW_SIZE (300000ms), got 240000ms");
        assertThat(
                        JobConfig.from(with("WINDOW_SIZE", "5m", "SESSION_GAP", "4m"))
                                .features()
                                .sessions())
                .as("a gap for sessions that are off is not checked")
                .isFalse();
    }

    @Test
    void defaultsAreThoseOfTheDesign() {
        JobConfig c = JobConfig.from(with());
        assertThat(c.features().sessions()).as("sessions cost most of the throughput").isFalse();
        assertThat(c.features().trending()).as("trends cost most of the throughput").isFalse();

        assertThat(c.windowSize()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.allowedLateness()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.outOfOrderness()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.idleness()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.checkpointInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.checkpointDir()).isNull();
        assertThat(c.alerts()).isEqualTo(new AlertThresholds(5, 0.10, 0.20, 10.0));
        assertThat(c.jdbcBatchSize()).isEqualTo(5000);
        assertThat(c.maxBufferedKeys()).isEqualTo(100_000);
        assertThat(c.features().sessionBufferedUsers()).isEqualTo(500_000);
        assertThat(c.kafka().topic()).isEqualTo("content-downloads");
        assertThat(c.postgres().port()).isEqualTo(5432);
        assertThat(c.allowStatelessStart()).isFalse();
    }

    @Test
    void allowStatelessStartIsAVariableOrABareFlagAndShowsInTheBanner() {
        JobConfig fromEnv = JobConfig.from(with("ALLOW_STATELESS_START", "true"));
        JobConfig fromFlag = JobConfig.from(settings(minimalEnv(), "--allow-stateless-start"));

        assertThat(fromEnv.allowStatelessStart()).isTrue();
        assertThat(fromFlag.allowStatelessStart()).isTrue();
        assertThat(fromFlag.describe())
                .last()
                .isEqualTo(
                        "Start guard: off (ALLOW_STATELESS_START=true), a start without state may"
                                + " overwrite newer windows");
    }

    @Test
    void flagsOverrideTheEnvironment() {
        Map<String, String> env = minimalEnv();
        env.put("WINDOW_SIZE", "5m");
        env.put("KAFKA_TOPIC", "from-env");
        env.put("ALERT_MIN_EVENTS", "3");

        JobConfig c =
                JobConfig.from(
                        Settings.of(
                                env,
                                new String[] {
                                    "--window-size=30s",
                                    "--kafka-topic",
                                    "from-flag",
                                    "--checkpoint-dir",
                                    "s3://bucket/cp",
                                    "--alert-error-rate-warning=0.05",
                                    "--allowed-lateness",
                                    "2m"
                                }));

        assertThat(c.windowSize()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.kafka().topic()).isEqualTo("from-flag");
        assertThat(c.checkpointDir()).isEqualTo("s3://bucket/cp");
        assertThat(c.allowedLateness()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.alerts()).isEqualTo(new AlertThresholds(3, 0.05, 0.20, 10.0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1s", "45s", "90s", "1m", "5m", "1h", "24h", "1500ms"})
    void windowSizeThatDividesADayIsAccepted(String size) {
        assertThat(JobConfig.from(with("WINDOW_SIZE", size)).windowSize().toMillis()).isPositive();
    }

    @ParameterizedTest
    @CsvSource({"7s, 7000", "7m, 420000", "25h, 90000000", "48h, 172800000", "1001ms, 1001"})
    void windowSizeThatDoesNotDivideADayIsRejected(String size, long millis) {
        assertThatThrownBy(() -> JobConfig.from(with("WINDOW_SIZE", size)))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "WINDOW_SIZE must divide a day evenly (for example 10s, 1m, 5m), got "
                                + millis
                                + "ms");
    }

    @Test
    void windowShorterThanASecondIsRejected() {
        assertThatThrownBy(() -> JobConfig.from(with("WINDOW_SIZE", "500ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("WINDOW_SIZE must be at least 1000ms, got '500ms'");
    }

    @Test
    void checkpointsTimeOutAfterFiveMinutesAndThreeFailuresInARowAreTolerated() {
        JobConfig c = JobConfig.from(with());

        assertThat(c.checkpointTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.tolerableFailedCheckpoints()).isEqualTo(3);
        assertThat(c.checkpointTimeout())
                .as("a sink on a black hole fails before its checkpoint expires")
                .isGreaterThan(c.postgres().timeouts().giveUpAfter());

        JobConfig set =
                JobConfig.from(
                        with("CHECKPOINT_TIMEOUT", "2m", "TOLERABLE_FAILED_CHECKPOINTS", "0"));
        assertThat(set.checkpointTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(set.tolerableFailedCheckpoints()).isZero();
    }

    @Test
    void checkpointTimeoutShorterThanASinkWaitsOnTheDatabaseIsRejected() {
        assertThatThrownBy(
                        () ->
                                JobConfig.from(
                                        with(
                                                "CHECKPOINT_TIMEOUT", "60s",
                                                "PG_SOCKET_TIMEOUT", "45s",
                                                "PG_LOGIN_TIMEOUT", "20s")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "CHECKPOINT_TIMEOUT must be longer than PG_SOCKET_TIMEOUT +"
                                + " PG_LOGIN_TIMEOUT (65s, the longest a sink waits on an"
                                + " unreachable database), got 60000ms");
    }

    @Test
    void criticalBelowWarningIsRejected() {
        assertThatThrownBy(
                        () ->
                                JobConfig.from(
                                        with(
                                                "ALERT_ERROR_RATE_WARNING", "0.3",
                                                "ALERT_ERROR_RATE_CRITICAL", "0.2")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "ALERT_ERROR_RATE_CRITICAL must be at least ALERT_ERROR_RATE_WARNING"
                                + " (0.3), got 0.2");
    }

    @ParameterizedTest
    @CsvSource({
        "ALLOWED_LATENESS, soon",
        "OUT_OF_ORDERNESS, -1s",
        "IDLENESS, 50ms",
        "CHECKPOINT_INTERVAL, 0",
        "CHECKPOINT_INTERVAL, 9999999999999999h",
        "WINDOW_SIZE, 99999999999999999999m",
        "ALERT_MIN_EVENTS, 0",
        "ALERT_ERROR_RATE_WARNING, 1.1",
        "ALERT_ERROR_RATE_CRITICAL, x",
        "ALERT_SLOW_SPEED_MBPS, -1",
        "JDBC_BATCH_SIZE, 0",
        "MAX_BUFFERED_KEYS, lots",
        "ALLOW_STATELESS_START, maybe",
        "PG_PORT, 0",
        "PG_SOCKET_TIMEOUT, 2500ms",
        "CHECKPOINT_TIMEOUT, 0",
        "TOLERABLE_FAILED_CHECKPOINTS, -1",
        "KAFKA_SASL_MECHANISM, KERBEROS",
    })
    void everyMalformedValueStopsTheStartWithALineNamingTheVariable(String name, String value) {
        assertThatThrownBy(() -> JobConfig.from(with(name, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(name + " ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void describeShowsTheResolvedConfigurationWithSecretsMasked() {
        JobConfig c =
                JobConfig.from(
                        with(
                                "KAFKA_USERNAME",
                                "alice",
                                "KAFKA_PASSWORD",
                                KAFKA_SECRET,
                                "PG_PASSWORD",
                                PG_SECRET,
                                "CHECKPOINT_DIR",
                                "file:///tmp/cp"));

        assertThat(c.describe())
                .containsExactly(
                        "Kafka:      kafka-0:9092,kafka-1:9092 topic=content-downloads"
                                + " group=streampulse-processor security=SASL_SSL"
                                + " sasl=SCRAM-SHA-256 user=alice password=******",
                        "PostgreSQL: db.internal:5432/streampulse user=streampulse"
                                + " password=****** sslmode=prefer migrate=false",
                        "Windows:    60 s tumbling, allowed lateness 300 s, out-of-orderness"
                                + " 10000 ms, idleness 30000 ms",
                        "Checkpoints: every 30000 ms to file:///tmp/cp",
                        "Alerts:     5 events minimum, error rate warning > 0.1, critical > 0.2,"
                                + " slow < 10.0 Mbps",
                        "Sinks:      JDBC batches of 5000, pre-aggregation buffer 100000 keys",
                        "Timeouts:   PostgreSQL connect 10s, login 20s, socket 45s, statement 30s;"
                                + " checkpoint 300000 ms, 3 failed in a row tolerated",
                        "Features:   fixed alerts on; trending off; anomalies warm-up"
                                + " 30, 3.0σ/5.0σ, α 0.05, 20 events minimum; sessions off",
                        "Start guard: a start without state over newer windows is refused");
        String everything = String.join("\n", c.describe()) + c;
        assertThat(everything).doesNotContain("pa55").doesNotContain(PG_SECRET);
    }
}
