package com.streampulse.job.alerts;

import static com.streampulse.job.alerts.AlertRules.HIGH_ERROR_RATE;
import static com.streampulse.job.alerts.AlertRules.SCOPE_CONTENT;
import static com.streampulse.job.alerts.AlertRules.SCOPE_REGION;
import static com.streampulse.job.alerts.AlertRules.SLOW_DOWNLOADS;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.alerts.AlertRules.Verdict;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.records.WindowCounts.Dimension;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class AlertRulesTest {

    private static final AlertThresholds DEFAULTS = AlertThresholds.DEFAULTS;

    @Test
    void defaultsAreThoseOfTheDesign() {
        assertThat(DEFAULTS).isEqualTo(new AlertThresholds(5, 0.10, 0.20, 10.0));
    }

    @Test
    void successRateOfExactlyNinetyPercentRaisesNothing() {
        Verdict v = errorRate(SCOPE_REGION, counts("EU-Berlin", 10, 9, 1, 20.0));

        assertThat(v)
                .isEqualTo(
                        new Verdict(
                                HIGH_ERROR_RATE,
                                null,
                                "error_rate",
                                0.1,
                                0.10,
                                "region EU-Berlin: error rate 10.0% (1 of 10 downloads not"
                                        + " successful) above 10%"));
        assertThat(v.breaks()).isFalse();
    }

    @Test
    void successRateBelowNinetyPercentIsAWarning() {
        // 17 of 19 = 0.8947 < 0.90.
        Verdict v = errorRate(SCOPE_REGION, counts("EU-Berlin", 19, 17, 2, 20.0));

        assertThat(v.severity()).isEqualTo("WARNING");
        assertThat(v.metricValue()).isEqualTo(2.0 / 19);
        assertThat(v.threshold()).isEqualTo(0.10);
        assertThat(v.message())
                .isEqualTo(
                        "region EU-Berlin: error rate 10.5% (2 of 19 downloads not successful)"
                                + " above 10%");
    }

    @Test
    void successRateOfExactlyEightyPercentIsStillOnlyAWarning() {
        Verdict v = errorRate(SCOPE_CONTENT, counts("mov_1", 10, 8, 2, 20.0));

        assertThat(v.severity()).isEqualTo("WARNING");
        assertThat(v.metricValue()).isEqualTo(0.2);
        assertThat(v.threshold()).isEqualTo(0.10);
    }

    @Test
    void successRateBelowEightyPercentIsCritical() {
        Verdict v = errorRate(SCOPE_CONTENT, counts("mov_1", 10, 7, 3, 20.0));

        assertThat(v)
                .isEqualTo(
                        new Verdict(
                                HIGH_ERROR_RATE,
                                "CRITICAL",
                                "error_rate",
                                0.3,
                                0.20,
                                "content mov_1: error rate 30.0% (3 of 10 downloads not"
                                        + " successful) above 20%"));
    }

    @Test
    void cancelledDownloadsLowerTheSuccessRate() {
        // 8 successes, 0 failures, 2 cancelled: success rate 0.80, as DESIGN defines it.
        Verdict v = errorRate(SCOPE_REGION, counts("EU-Berlin", 10, 8, 0, 20.0));

        assertThat(v.severity()).isEqualTo("WARNING");
        assertThat(v.metricValue()).isEqualTo(0.2);
    }

    @Test
    void noRuleLooksAtAWindowWithFewerThanMinEvents() {
        WindowCounts allFailedAndSlow = counts("EU-Berlin", 4, 0, 4, 0.5);

        assertThat(AlertRules.evaluate(SCOPE_REGION, allFailedAndSlow, DEFAULTS)).isEmpty();
        assertThat(
                        AlertRules.evaluate(
                                SCOPE_REGION,
                                allFailedAndSlow,
                                new AlertThresholds(4, 0.1, 0.2, 10)))
                .extracting(Verdict::severity)
                .containsExactly("CRITICAL", "WARNING");
    }

    @Test
    void exactlyMinEventsIsEnough() {
        List<Verdict> verdicts =
                AlertRules.evaluate(SCOPE_REGION, counts("EU-Berlin", 5, 0, 5, 20.0), DEFAULTS);

        assertThat(verdicts)
                .extracting(Verdict::alertType)
                .containsExactly(HIGH_ERROR_RATE, SLOW_DOWNLOADS);
        assertThat(verdicts.get(0).severity()).isEqualTo("CRITICAL");
        assertThat(verdicts.get(1).breaks()).isFalse();
    }

    @Test
    void averageSpeedBelowTenMbpsIsASlowDownloadsWarning() {
        WindowCounts c = counts("AP-Tokyo", 5, 5, 0, 0.0);
        c.speedMicrosSum = 49_999_999; // average 9.9999998 Mbps

        Verdict v = slow(c);

        assertThat(v)
                .isEqualTo(
                        new Verdict(
                                SLOW_DOWNLOADS,
                                "WARNING",
                                "avg_speed_mbps",
                                49.999999 / 5,
                                10.0,
                                "region AP-Tokyo: average speed 9.99 Mbps below 10.0 Mbps over 5"
                                        + " downloads"));
    }

    @Test
    void averageSpeedOfExactlyTenMbpsIsNotSlow() {
        WindowCounts c = counts("AP-Tokyo", 5, 5, 0, 0.0);
        c.speedMicrosSum = 50_000_000;

        Verdict v = slow(c);

        assertThat(v.breaks()).isFalse();
        assertThat(v.metricValue()).isEqualTo(10.0);
    }

    @Test
    void slowDownloadsIsARegionRuleOnly() {
        WindowCounts slowButHealthy = counts("mov_1", 20, 20, 0, 1.0);

        assertThat(AlertRules.evaluate(SCOPE_CONTENT, slowButHealthy, DEFAULTS))
                .extracting(Verdict::alertType)
                .containsExactly(HIGH_ERROR_RATE);
        assertThat(AlertRules.evaluate(SCOPE_REGION, slowButHealthy, DEFAULTS))
                .extracting(Verdict::alertType, Verdict::severity)
                .containsExactly(
                        org.assertj.core.api.Assertions.tuple(HIGH_ERROR_RATE, null),
                        org.assertj.core.api.Assertions.tuple(SLOW_DOWNLOADS, "WARNING"));
    }

    @Test
    void configuredThresholdsAreUsed() {
        AlertThresholds strict = new AlertThresholds(1, 0.0, 0.5, 100.0);

        List<Verdict> verdicts =
                AlertRules.evaluate(SCOPE_REGION, counts("EU-Berlin", 1, 0, 1, 50.0), strict);

        assertThat(verdicts)
                .extracting(Verdict::severity, Verdict::threshold)
                .containsExactly(
                        org.assertj.core.api.Assertions.tuple("CRITICAL", 0.5),
                        org.assertj.core.api.Assertions.tuple("WARNING", 100.0));
    }

    /**
     * The rule of DESIGN.md in whole numbers: success rate below 0.90 is a WARNING, below 0.80
     * CRITICAL. The code compares doubles; this holds it to the exact arithmetic.
     */
    @Property(tries = 3000)
    void severityFollowsTheExactSuccessRate(
            @ForAll @IntRange(min = 5, max = 100_000) int total,
            @ForAll @IntRange(min = 0, max = 100_000) int successSeed) {
        int successful = successSeed % (total + 1);
        Verdict v = errorRate(SCOPE_REGION, counts("r", total, successful, 0, 20.0));

        String expected =
                10L * successful < 8L * total
                        ? "CRITICAL"
                        : 10L * successful < 9L * total ? "WARNING" : null;
        assertThat(v.severity()).isEqualTo(expected);
    }

    @Property(tries = 500)
    void boundariesAreExactForEveryWindowSize(@ForAll @IntRange(min = 1, max = 20_000) int tens) {
        int total = tens * 10;
        assertThat(errorRate(SCOPE_REGION, counts("r", total, tens * 9, tens, 20.0)).severity())
                .isNull();
        assertThat(errorRate(SCOPE_REGION, counts("r", total, tens * 8, 2 * tens, 20.0)).severity())
                .isEqualTo("WARNING");
    }

    private static Verdict errorRate(String scope, WindowCounts c) {
        Verdict v = AlertRules.evaluate(scope, c, DEFAULTS).get(0);
        assertThat(v.alertType()).isEqualTo(HIGH_ERROR_RATE);
        return v;
    }

    private static Verdict slow(WindowCounts c) {
        Verdict v = AlertRules.evaluate(SCOPE_REGION, c, DEFAULTS).get(1);
        assertThat(v.alertType()).isEqualTo(SLOW_DOWNLOADS);
        return v;
    }

    /** Counts with the given totals; every event at {@code speedMbps}. */
    static WindowCounts counts(
            String key, long total, long successful, long failed, double speedMbps) {
        WindowCounts c = new WindowCounts(Dimension.CONTENT, key, "", 0L);
        c.total = total;
        c.successful = successful;
        c.failed = failed;
        c.speedMicrosSum = Math.round(speedMbps * 1_000_000) * total;
        c.durationSecondsSum = 60 * total;
        return c;
    }
}
