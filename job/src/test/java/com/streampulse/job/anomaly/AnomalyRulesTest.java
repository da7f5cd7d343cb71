package com.streampulse.job.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.streampulse.job.anomaly.AnomalyRules.Anomaly;
import com.streampulse.job.records.WindowCounts;
import com.streampulse.job.records.WindowCounts.Dimension;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AnomalyRulesTest {

    private static final AnomalySettings SETTINGS = AnomalySettings.DEFAULTS;

    @Test
    void ewmaOfAConstantIsThatConstantWithNoVariance() {
        Ewma e = Ewma.EMPTY;
        for (int i = 0; i < 50; i++) {
            e = e.learn(7.0, 0.05);
        }
        assertThat(e.samples()).isEqualTo(50);
        assertThat(e.mean()).isEqualTo(7.0);
        assertThat(e.variance()).isEqualTo(0.0);
        assertThat(e.sigma(0.5)).isEqualTo(0.5);
    }

    @Test
    void ewmaConvergesToTheMeanAndVarianceOfItsInput() {
        Random random = new Random(16);
        Ewma e = Ewma.EMPTY;
        for (int i = 0; i < 20_000; i++) {
            e = e.learn(100 + 10 * random.nextGaussian(), 0.01);
        }
        assertThat(e.mean()).isCloseTo(100.0, within(3.0));
        assertThat(Math.sqrt(e.variance())).isCloseTo(10.0, within(1.5));
    }

    @Test
    void nothingIsJudgedBeforeTheWarmUp() {
        Baseline b = learn(SETTINGS.warmUpWindows() - 1, 100, 95, 20.0);
        assertThat(AnomalyRules.judge("EU", window(100, 10, 1.0), b, SETTINGS)).isEmpty();

        Baseline warm = b.learn(window(100, 95, 20.0), SETTINGS);
        assertThat(AnomalyRules.judge("EU", window(100, 10, 1.0), warm, SETTINGS))
                .extracting(Anomaly::metric, Anomaly::severity)
                .containsExactly(
                        org.assertj.core.api.Assertions.tuple(Metric.ERROR_RATE, "CRITICAL"),
                        org.assertj.core.api.Assertions.tuple(Metric.SPEED, "CRITICAL"),
                        org.assertj.core.api.Assertions.tuple(Metric.VOLUME, null));
    }

    @Test
    void severityFollowsTheDeviationInSigmas() {
        // A steady baseline: error rate 5 %, so σ is the floor of one percentage point.
        Baseline b = learn(40, 1000, 950, 20.0);
        assertThat(b.errorRate().mean()).isCloseTo(0.05, within(1e-12));

        assertThat(verdict(b, Metric.ERROR_RATE, window(1000, 930, 20.0)).severity()).isNull();
        Anomaly warning = verdict(b, Metric.ERROR_RATE, window(1000, 910, 20.0));
        assertThat(warning.severity()).isEqualTo("WARNING");
        assertThat(warning.deviation()).isCloseTo(4.0, within(1e-9));
        assertThat(warning.expected()).isCloseTo(0.05, within(1e-12));
        assertThat(warning.threshold()).isCloseTo(0.08, within(1e-12));
        assertThat(warning.message())
                .isEqualTo("region EU: error_rate 9.0% vs usual 5.0% ± 1.0% (+4.0σ)");
        Anomaly critical = verdict(b, Metric.ERROR_RATE, window(1000, 890, 20.0));
        assertThat(critical.severity()).isEqualTo("CRITICAL");
        assertThat(critical.threshold()).isCloseTo(0.10, within(1e-12));
        // Fewer errors than usual is good news, not an anomaly.
        assertThat(verdict(b, Metric.ERROR_RATE, window(1000, 1000, 20.0)).severity()).isNull();
    }

    @Test
    void volumeIsAnomalousBothWaysAndSpeedOnlyWhenSlower() {
        Baseline b = learn(40, 400, 380, 20.0);
        // Volume σ is the Poisson floor √400 = 20.
        assertThat(verdict(b, Metric.VOLUME, window(470, 450, 20.0)).severity())
                .isEqualTo("WARNING");
        assertThat(verdict(b, Metric.VOLUME, window(290, 280, 20.0)).severity())
                .isEqualTo("CRITICAL");
        assertThat(verdict(b, Metric.VOLUME, window(290, 280, 20.0)).threshold())
                .isCloseTo(300.0, within(1e-9));
        assertThat(verdict(b, Metric.SPEED, window(400, 380, 30.0)).severity()).isNull();
        // σ floor 2 % of 20 Mbps = 0.4: 18.6 is 3.5σ below.
        assertThat(verdict(b, Metric.SPEED, window(400, 380, 18.6)).severity())
                .isEqualTo("WARNING");
    }

    @Test
    void smallWindowsAreNotJudgedOnRatesAndQuietRegionsNotOnVolume() {
        Baseline busy = learn(40, 100, 95, 20.0);
        assertThat(AnomalyRules.judge("EU", window(5, 0, 1.0), busy, SETTINGS))
                .extracting(Anomaly::metric)
                .containsExactly(Metric.VOLUME);
        Baseline quiet = learn(40, 10, 10, 20.0);
        assertThat(AnomalyRules.judge("EU", window(1, 1, 20.0), quiet, SETTINGS)).isEmpty();
    }

    @Test
    void anAnomalousWindowMovesTheBaselineOnlySlightly() {
        Baseline b = learn(40, 1000, 950, 20.0);
        Baseline afterIncident = b;
        for (int i = 0; i < 30; i++) {
            afterIncident = afterIncident.learn(window(1000, 500, 20.0), SETTINGS);
        }
        // Learned as if on the 3σ bound (8 %), at α = 0.005: thirty windows of 50 % errors
        // leave the usual error rate under 6 %, where plain learning would have taken it to 37 %.
        assertThat(afterIncident.errorRate().mean()).isBetween(0.05, 0.06);
        assertThat(verdict(afterIncident, Metric.ERROR_RATE, window(1000, 500, 20.0)).breaks())
                .isTrue();
    }

    @Test
    void slowDriftIsLearned() {
        Baseline b = learn(40, 1000, 950, 20.0);
        double speed = 20.0;
        for (int i = 0; i < 200; i++) {
            speed *= 0.995; // −0.5 % a window: ≈ 7.3 Mbps after 200 windows
            b = b.learn(window(1000, 950, speed), SETTINGS);
            assertThat(verdict(b, Metric.SPEED, window(1000, 950, speed * 0.995)).breaks())
                    .as("window %d", i)
                    .isFalse();
        }
    }

    private static Anomaly verdict(Baseline b, Metric metric, WindowCounts c) {
        List<Anomaly> verdicts = AnomalyRules.judge("EU", c, b, SETTINGS);
        return verdicts.stream().filter(a -> a.metric() == metric).findFirst().orElseThrow();
    }

    private static Baseline learn(int windows, long total, long successful, double speed) {
        Baseline b = Baseline.EMPTY;
        for (int i = 0; i < windows; i++) {
            b = b.learn(window(total, successful, speed), SETTINGS);
        }
        return b;
    }

    static WindowCounts window(long total, long successful, double speedMbps) {
        WindowCounts c = new WindowCounts(Dimension.REGION, "EU", "", 0);
        c.total = total;
        c.successful = successful;
        c.failed = total - successful;
        c.speedMicrosSum = Math.round(speedMbps * 1_000_000) * total;
        c.onTimeTotal = total;
        c.onTimeSuccessful = successful;
        c.onTimeSpeedMicrosSum = c.speedMicrosSum;
        return c;
    }
}
