package com.streampulse.autoscaler.decide;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.autoscaler.decide.Decision.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeciderTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration WINDOW = Duration.ofSeconds(150);
    static final double CAPACITY = 1000;

    /**
     * The controller's defaults: 1..8, catch-up 300 s, 0.7, up 60 s, down 600 s, cooldown 300 s.
     */
    static final Policy POLICY =
            new Policy(
                    1,
                    8,
                    Duration.ofSeconds(300),
                    0.7,
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(600),
                    Duration.ofSeconds(300),
                    Duration.ofSeconds(60));

    /** The same with room for all of 12 partitions. */
    static final Policy TWELVE = PolicyTest.between(1, 12);

    final Decider decider =
            new Decider(Duration.ofSeconds(45), Duration.ofSeconds(75), Duration.ofSeconds(300));

    static DeploymentView running(int parallelism) {
        return new DeploymentView(true, "lifecycle STABLE, job RUNNING", parallelism, null);
    }

    /** A window ending at {@code at}, with a steady lag and commits flowing. */
    static Observation load(Instant at, double input, double processed, long lag, int partitions) {
        return new Observation(
                at,
                at.minus(WINDOW),
                partitions,
                0,
                lag,
                lag,
                input,
                processed,
                Duration.ofSeconds(15));
    }

    static Memory knowing(double capacity) {
        return new Memory(capacity, null, null, null, List.of());
    }

    @Test
    void scalesUpOnlyAfterTheRecommendationHeldForTheStabilisation() {
        Decision first =
                decider.decide(
                        load(T0, 3000, 2000, 0, 12), running(2), POLICY, knowing(CAPACITY), T0);
        assertThat(first.kind()).isEqualTo(Kind.HOLD);
        assertThat(first.desired()).isEqualTo(6); // ceil(3000 / (1000 * 0.7)) = 5, spread as 6
        assertThat(first.memory().upSince()).isEqualTo(T0);

        Instant later = T0.plusSeconds(59);
        Decision early =
                decider.decide(
                        load(later, 3000, 2000, 0, 12), running(2), POLICY, first.memory(), later);
        assertThat(early.kind()).isEqualTo(Kind.HOLD);

        Instant due = T0.plusSeconds(60);
        Decision up =
                decider.decide(
                        load(due, 3000, 2000, 0, 12), running(2), POLICY, early.memory(), due);
        assertThat(up.kind()).isEqualTo(Kind.SCALE_UP);
        assertThat(up.from()).isEqualTo(2);
        assertThat(up.to()).isEqualTo(6);
        assertThat(up.memory().lastChange()).isEqualTo(due);
    }

    @Test
    void backlogIsWorkedOffWithinTheCatchUpTarget() {
        Memory pending = knowing(CAPACITY).pendingUp(T0.minusSeconds(60));
        // 2000/s in plus 600000 behind / 300 s = 4000/s to process: ceil(4000 / 700) = 6.
        Decision up =
                decider.decide(load(T0, 2000, 2000, 600_000, 12), running(2), POLICY, pending, T0);
        assertThat(up.kind()).isEqualTo(Kind.SCALE_UP);
        assertThat(up.to()).isEqualTo(6);
    }

    @Test
    void neverScalesAboveThePartitionCount() {
        Memory pending = knowing(CAPACITY).pendingUp(T0.minusSeconds(60));
        Decision up = decider.decide(load(T0, 20_000, 2000, 0, 4), running(2), POLICY, pending, T0);
        assertThat(up.kind()).isEqualTo(Kind.SCALE_UP);
        assertThat(up.to()).isEqualTo(4);
    }

    @Test
    void neverScalesAboveTheMaximum() {
        Memory pending = knowing(CAPACITY).pendingUp(T0.minusSeconds(60));
        Decision up =
                decider.decide(load(T0, 20_000, 2000, 0, 32), running(2), POLICY, pending, T0);
        assertThat(up.to()).isEqualTo(8);
    }

    @Test
    void atThePartitionCountAlreadyNothingHappens() {
        Memory pending = knowing(CAPACITY).pendingUp(T0.minusSeconds(60));
        Decision hold =
                decider.decide(load(T0, 20_000, 4000, 0, 4), running(4), POLICY, pending, T0);
        assertThat(hold.kind()).isEqualTo(Kind.HOLD);
        assertThat(hold.to()).isEqualTo(4);
    }

    @Test
    void holdsDuringTheCooldownAndActsWhenItEnds() {
        Memory justChanged =
                new Memory(CAPACITY, T0.minusSeconds(100), T0.minusSeconds(90), null, List.of());
        Decision cooling =
                decider.decide(load(T0, 3000, 2000, 0, 12), running(2), POLICY, justChanged, T0);
        assertThat(cooling.kind()).isEqualTo(Kind.HOLD);
        assertThat(cooling.reason()).contains("cooling down (200s left)");

        Instant after = T0.plusSeconds(200);
        Decision up =
                decider.decide(
                        load(after, 3000, 2000, 0, 12),
                        running(2),
                        POLICY,
                        cooling.memory(),
                        after);
        assertThat(up.kind()).isEqualTo(Kind.SCALE_UP);
    }

    @Test
    void cooldownAlsoCountsFromTheAnnotationOfAPreviousLeader() {
        DeploymentView rescaledByOther =
                new DeploymentView(true, "lifecycle STABLE, job RUNNING", 2, T0.minusSeconds(10));
        Memory pending = knowing(CAPACITY).pendingUp(T0.minusSeconds(60));
        Decision d =
                decider.decide(load(T0, 3000, 2000, 0, 12), rescaledByOther, POLICY, pending, T0);
        assertThat(d.kind()).isEqualTo(Kind.HOLD);
        assertThat(d.reason()).contains("cooling down (290s left)");
    }

    @Test
    void skipsWhileTheDeploymentIsNotStableAndRunning() {
        DeploymentView upgrading =
                new DeploymentView(false, "lifecycle UPGRADING, job RECONCILING", 2, null);
        Memory pending = knowing(CAPACITY).pendingUp(T0.minusSeconds(60));
        Decision d = decider.decide(load(T0, 9000, 2000, 0, 12), upgrading, POLICY, pending, T0);
        assertThat(d.kind()).isEqualTo(Kind.SKIP);
        assertThat(d.to()).isEqualTo(2);
        assertThat(d.reason()).contains("not stable and running (lifecycle UPGRADING");
        assertThat(d.memory().upSince()).isNull();
        assertThat(d.memory().capacity()).isEqualTo(CAPACITY);
    }

    @Test
    void skipsOnStaleOffsets() {
        Memory pending = knowing(CAPACITY).pendingUp(T0.minusSeconds(60));
        Observation old = load(T0.minusSeconds(46), 9000, 2000, 0, 12);
        Decision d = decider.decide(old, running(2), POLICY, pending, T0);
        assertThat(d.kind()).isEqualTo(Kind.SKIP);
        assertThat(d.reason()).isEqualTo("offsets are stale, last read 46s ago");
    }

    @Test
    void skipsWithoutOffsetsOrWithPartitionsNeverCommitted() {
        Memory pending = knowing(CAPACITY).pendingUp(T0.minusSeconds(60));
        assertThat(decider.decide(null, running(2), POLICY, pending, T0).kind())
                .isEqualTo(Kind.SKIP);
        Observation partial =
                new Observation(
                        T0, T0.minus(WINDOW), 12, 3, 0, 0, 9000, 2000, Duration.ofSeconds(15));
        Decision d = decider.decide(partial, running(2), POLICY, pending, T0);
        assertThat(d.kind()).isEqualTo(Kind.SKIP);
        assertThat(d.reason()).isEqualTo("no committed offset for 3 of 12 partitions");
    }

    @Test
    void skipsWhenCommittedOffsetsStoppedMoving() {
        Observation stuck =
                new Observation(
                        T0,
                        T0.minus(WINDOW),
                        12,
                        0,
                        50_000,
                        40_000,
                        3000,
                        0,
                        Duration.ofSeconds(301));
        Decision d = decider.decide(stuck, running(2), POLICY, knowing(CAPACITY), T0);
        assertThat(d.kind()).isEqualTo(Kind.SKIP);
        assertThat(d.reason()).isEqualTo("committed offsets have not moved for 301s");
    }

    @Test
    void waitsUntilTheWindowSpansEnoughTime() {
        Observation young =
                new Observation(
                        T0, T0.minusSeconds(30), 12, 0, 0, 0, 3000, 3000, Duration.ofSeconds(15));
        Decision d = decider.decide(young, running(2), POLICY, knowing(CAPACITY), T0);
        assertThat(d.kind()).isEqualTo(Kind.HOLD);
        assertThat(d.reason()).isEqualTo("collecting rates, 30s of 75s seen");
    }

    @Test
    void scalesDownOnlyWhileLagIsNearZero() {
        Memory mem = knowing(CAPACITY);
        // 1000/s needs 2 instances; lag of 200 s of input is far from zero.
        Decision behind =
                decider.decide(load(T0, 1000, 1000, 200_000, 12), running(8), POLICY, mem, T0);
        assertThat(behind.kind()).isEqualTo(Kind.HOLD);
        assertThat(behind.reason()).contains("lag is not near zero");
        assertThat(behind.memory().downSince()).isNull();

        Decision first = decider.decide(load(T0, 1000, 1000, 0, 12), running(6), POLICY, mem, T0);
        assertThat(first.kind()).isEqualTo(Kind.HOLD);
        assertThat(first.memory().downSince()).isEqualTo(T0);

        // Lag that the current parallelism is needed for (4000/s more than 6 can do at 0.7):
        // the scale-down clock starts again.
        Instant mid = T0.plusSeconds(300);
        Decision interrupted =
                decider.decide(blip(mid, 1000, 1_500_000), running(6), POLICY, first.memory(), mid);
        assertThat(interrupted.desired()).isGreaterThanOrEqualTo(6);
        assertThat(interrupted.memory().downSince()).isNull();

        Instant tooEarly = T0.plusSeconds(600);
        Decision again =
                decider.decide(
                        load(tooEarly, 1000, 1000, 0, 12),
                        running(6),
                        POLICY,
                        interrupted.memory(),
                        tooEarly);
        assertThat(again.kind()).isEqualTo(Kind.HOLD);

        Instant due = tooEarly.plusSeconds(600);
        Decision down =
                decider.decide(
                        load(due, 1000, 1000, 0, 12), running(6), POLICY, again.memory(), due);
        assertThat(down.kind()).isEqualTo(Kind.SCALE_DOWN);
        assertThat(down.to()).isEqualTo(2);
    }

    /**
     * A window in which the lag was near zero and now is not, the job keeping up (input equal to
     * processed): committed offsets trailing a slow checkpoint on a loaded machine.
     */
    static Observation blip(Instant at, double rate, long lag) {
        return new Observation(
                at, at.minus(WINDOW), 12, 0, lag, 0, rate, rate, Duration.ofSeconds(15));
    }

    /**
     * Issue 13's loaded-machine case: a caught-up job whose lag crosses "near zero" now and then
     * keeps its pending scale-down; the crossing's own recommendation (its lag to catch up
     * included) counts towards the highest of the window, and the scale-down waits for a round with
     * lag near zero.
     */
    @Test
    void aLagBlipWhileTheJobKeepsUpDoesNotRestartTheScaleDownStabilisation() {
        Decision first =
                decider.decide(
                        load(T0, 1000, 1000, 0, 12), running(6), POLICY, knowing(CAPACITY), T0);
        assertThat(first.memory().downSince()).isEqualTo(T0);

        // 200 s of input waiting (near zero is 60 s): 1000 + 200,000 / 300 + the restart's
        // 200 = 1867/s, 3 instances at 0.7, still below 6.
        Instant mid = T0.plusSeconds(300);
        Decision crossing =
                decider.decide(blip(mid, 1000, 200_000), running(6), POLICY, first.memory(), mid);
        assertThat(crossing.kind()).isEqualTo(Kind.HOLD);
        assertThat(crossing.reason()).startsWith("would do with 3 once lag is near zero again");
        assertThat(crossing.memory().downSince()).isEqualTo(T0);

        // Due, but the lag is above near zero in this round: no scale-down yet.
        Instant due = T0.plusSeconds(600);
        Decision stillLagging =
                decider.decide(blip(due, 1000, 70_000), running(6), POLICY, crossing.memory(), due);
        assertThat(stillLagging.kind()).isEqualTo(Kind.HOLD);
        assertThat(stillLagging.memory().downSince()).isEqualTo(T0);

        Instant next = due.plusSeconds(15);
        Decision down =
                decider.decide(
                        load(next, 1000, 1000, 0, 12),
                        running(6),
                        POLICY,
                        stillLagging.memory(),
                        next);
        assertThat(down.kind()).isEqualTo(Kind.SCALE_DOWN);
        assertThat(down.to()).isEqualTo(3); // the crossing's recommendation, not 2
    }

    /**
     * After a fall the window's average still holds some of the old load (3200/s, 5 instances at
     * 0.7, spread as 6); a recommendation below the current parallelism is made on the last
     * interval's rate (2000/s: 3), the highest of the stabilisation window guarding it.
     */
    @Test
    void aScaleDownRecommendationIsMadeOnTheLastIntervalsRate() {
        Observation afterSpike =
                new Observation(
                        T0,
                        T0.minus(WINDOW),
                        12,
                        0,
                        0,
                        0,
                        3200,
                        3200,
                        Duration.ofSeconds(15),
                        2000);
        Decision d = decider.decide(afterSpike, running(12), TWELVE, knowing(CAPACITY), T0);
        assertThat(d.kind()).isEqualTo(Kind.HOLD);
        assertThat(d.desired()).isEqualTo(3);
        assertThat(d.memory().downSince()).isEqualTo(T0);
    }

    /** A backlog that grows (input above what is processed) is no blip: the job falls behind. */
    @Test
    void aGrowingBacklogEndsThePendingScaleDown() {
        Decision first =
                decider.decide(
                        load(T0, 1000, 1000, 0, 12), running(6), POLICY, knowing(CAPACITY), T0);
        Instant mid = T0.plusSeconds(300);
        Observation growing =
                new Observation(
                        mid,
                        mid.minus(WINDOW),
                        12,
                        0,
                        80_000,
                        0,
                        1300,
                        1000,
                        Duration.ofSeconds(15));
        Decision behind = decider.decide(growing, running(6), POLICY, first.memory(), mid);
        assertThat(behind.kind()).isEqualTo(Kind.HOLD);
        assertThat(behind.reason()).contains("lag is not near zero");
        assertThat(behind.memory().downSince()).isNull();
    }

    /**
     * The closed loop's failover case: the replacement comes down on Flink's figure, and a lag
     * crossing during its stabilisation does not start it over.
     */
    @Test
    void aLagBlipDoesNotRestartTheScaleDownOnFlinksFigure() {
        DeploymentView overProvisioned =
                new DeploymentView(true, "lifecycle STABLE, job RUNNING", 12, null, 1000);
        Decision first =
                decider.decide(
                        load(T0, 2000, 2000, 0, 12), overProvisioned, TWELVE, Memory.EMPTY, T0);
        Instant mid = T0.plusSeconds(300);
        Decision crossing =
                decider.decide(
                        blip(mid, 2000, 150_000), overProvisioned, TWELVE, first.memory(), mid);
        assertThat(crossing.kind()).isEqualTo(Kind.HOLD);
        assertThat(crossing.memory().downSince()).isEqualTo(T0);
        assertThat(crossing.memory().knowsCapacity()).isFalse();

        Instant due = T0.plusSeconds(600);
        Decision down =
                decider.decide(
                        load(due, 2000, 2000, 0, 12),
                        overProvisioned,
                        TWELVE,
                        crossing.memory(),
                        due);
        assertThat(down.kind()).isEqualTo(Kind.SCALE_DOWN);
        // 2000 + 150,000 / 300 = 2500/s: 4 at 0.7, not the 3 of the rounds without lag.
        assertThat(down.to()).isEqualTo(4);
    }

    /**
     * A surge: the last interval's input (8000/s) alone is more than 3 instances can process and
     * the backlog grows, so the scale-up does not wait for its stabilisation; it is sized on that
     * rate, not on the window's average (2600/s), which still mixes in the load before the rise.
     */
    @Test
    void aSurgeScalesUpAtOnceSizedOnTheLatestInputRate() {
        Observation surge =
                new Observation(
                        T0,
                        T0.minus(WINDOW),
                        12,
                        0,
                        150_000,
                        150_000,
                        2600,
                        3000,
                        Duration.ofSeconds(15),
                        8000);
        Decision up = decider.decide(surge, running(3), TWELVE, knowing(CAPACITY), T0);
        assertThat(up.kind()).isEqualTo(Kind.SCALE_UP);
        // 8000 + 150,000 / 300 = 8500/s: 13 at 0.7, capped at the 12 partitions.
        assertThat(up.to()).isEqualTo(12);
        assertThat(up.reason()).startsWith("load needs 12 now (surge");

        // The same rates without a backlog: not saturated, so the usual stabilisation.
        Observation noBacklog =
                new Observation(
                        T0,
                        T0.minus(WINDOW),
                        12,
                        0,
                        0,
                        0,
                        2600,
                        3000,
                        Duration.ofSeconds(15),
                        8000);
        Decision waits = decider.decide(noBacklog, running(3), TWELVE, knowing(CAPACITY), T0);
        assertThat(waits.kind()).isEqualTo(Kind.HOLD);
        assertThat(waits.reason()).startsWith("wants 4 for 0s of 60s"); // 2600/s at 0.7
    }

    @Test
    void scalesDownToTheHighestRecommendationOfTheStabilisationWindow() {
        Decision a =
                decider.decide(
                        load(T0, 2000, 2000, 0, 12), running(6), POLICY, knowing(CAPACITY), T0);
        assertThat(a.desired()).isEqualTo(3);
        Instant t1 = T0.plusSeconds(300);
        Decision b =
                decider.decide(load(t1, 1000, 1000, 0, 12), running(6), POLICY, a.memory(), t1);
        assertThat(b.desired()).isEqualTo(2);
        Instant t2 = T0.plusSeconds(600);
        Decision down =
                decider.decide(load(t2, 1000, 1000, 0, 12), running(6), POLICY, b.memory(), t2);
        assertThat(down.kind()).isEqualTo(Kind.SCALE_DOWN);
        assertThat(down.to()).isEqualTo(3);
    }

    @Test
    void aParallelismAboveTheCeilingComesDownAtOnce() {
        // The max was lowered to 8 (or the topic has 4 partitions) while the job ran at 10.
        Decision d =
                decider.decide(
                        load(T0, 9000, 9000, 500_000, 4),
                        running(10),
                        POLICY,
                        knowing(CAPACITY),
                        T0);
        assertThat(d.kind()).isEqualTo(Kind.SCALE_DOWN);
        assertThat(d.to()).isEqualTo(4);
        assertThat(d.reason()).isEqualTo("above the ceiling min(max 8, 4 partitions)");
    }

    @Test
    void neverScalesBelowTheMinimum() {
        Policy atLeastThree =
                new Policy(
                        3,
                        8,
                        Duration.ofSeconds(300),
                        0.7,
                        Duration.ZERO,
                        Duration.ZERO,
                        Duration.ZERO,
                        Duration.ofSeconds(60));
        Decision d =
                decider.decide(
                        load(T0, 10, 10, 0, 12), running(6), atLeastThree, knowing(CAPACITY), T0);
        assertThat(d.kind()).isEqualTo(Kind.SCALE_DOWN);
        assertThat(d.to()).isEqualTo(3);
    }

    @Test
    void aSmallExcessOverTheTargetIsInsideTheDeadBand() {
        // 3000/s on 4 instances is 75% utilisation: above 0.7, below the 0.85 that triggers.
        Memory pending = knowing(CAPACITY).pendingUp(T0.minusSeconds(600));
        Decision d = decider.decide(load(T0, 3000, 3000, 0, 12), running(4), POLICY, pending, T0);
        assertThat(d.kind()).isEqualTo(Kind.HOLD);
        assertThat(d.reason()).startsWith("parallelism fits the load");
    }

    @Test
    void aScaleUpThatDidNotRaiseThroughputIsNotRepeated() {
        Instant due = T0.plusSeconds(60);
        Decision up =
                decider.decide(
                        load(due, 3000, 2000, 0, 12),
                        running(2),
                        TWELVE,
                        knowing(CAPACITY).pendingUp(T0),
                        due);
        assertThat(up.kind()).isEqualTo(Kind.SCALE_UP);
        assertThat(up.to()).isEqualTo(6);

        // Well past the cooldown, still saturated at 6, but processing no more than at 2: the
        // sink, not the parallelism, is the limit.
        Instant later = due.plusSeconds(900);
        Decision stuck =
                decider.decide(
                        load(later, 3000, 2100, 900_000, 12),
                        running(6),
                        TWELVE,
                        up.memory(),
                        later);
        assertThat(stuck.kind()).isEqualTo(Kind.HOLD);
        assertThat(stuck.reason())
                .startsWith("wants 12 but the scale-up 2->6 raised throughput only from 2000/s");
        assertThat(stuck.memory().upCheck().ineffective()).isTrue();
    }

    @Test
    void aScaleUpThatHelpedLeavesFurtherScaleUpsOpen() {
        Instant due = T0.plusSeconds(60);
        Decision up =
                decider.decide(
                        load(due, 3000, 2000, 0, 12),
                        running(2),
                        TWELVE,
                        knowing(CAPACITY).pendingUp(T0),
                        due);
        Instant later = due.plusSeconds(900);
        Decision judged =
                decider.decide(
                        load(later, 9000, 5400, 900_000, 12),
                        running(6),
                        TWELVE,
                        up.memory(),
                        later);
        // Judged as helpful (5400/s at 6 against 2000/s at 2), so not blocked: 9000/s is a surge
        // over what 6 can do, and it scales up at once.
        assertThat(judged.kind()).isEqualTo(Kind.SCALE_UP);
        assertThat(judged.to()).isEqualTo(12);
    }

    @Test
    void learnsCapacityOnlyWhileSaturated() {
        // No backlog: capacity stays unknown, nothing is done.
        Decision idle =
                decider.decide(load(T0, 1500, 1500, 0, 12), running(2), POLICY, Memory.EMPTY, T0);
        assertThat(idle.kind()).isEqualTo(Kind.HOLD);
        assertThat(idle.reason()).isEqualTo("capacity unknown until the job is seen saturated");
        assertThat(idle.memory().knowsCapacity()).isFalse();

        // A backlog all window long: 1800/s on 2 instances is 900/s each.
        Decision saturated =
                decider.decide(
                        load(T0, 3000, 1800, 400_000, 12), running(2), POLICY, Memory.EMPTY, T0);
        assertThat(saturated.memory().capacity()).isEqualTo(900.0);
    }

    @Test
    void aWindowThatBeganBeforeTheLastChangeTeachesNothing() {
        Memory changed = new Memory(Double.NaN, T0.minusSeconds(60), null, null, List.of());
        Decision d =
                decider.decide(load(T0, 3000, 1800, 400_000, 12), running(2), POLICY, changed, T0);
        assertThat(d.memory().knowsCapacity()).isFalse();
    }

    /**
     * Issue 13's failover bug, without the learned annotation: a job at 12 that needs 3 is never
     * saturated, so capacity cannot be learned from offsets; Flink's own busy time and input rate
     * (1000/s per fully busy instance) let it come down after the scale-down stabilisation.
     */
    @Test
    void anOverProvisionedJobComesDownOnFlinksOwnCapacityWhenNoneWasLearned() {
        DeploymentView overProvisioned =
                new DeploymentView(true, "lifecycle STABLE, job RUNNING", 12, null, 1000);
        Decision first =
                decider.decide(
                        load(T0, 2000, 2000, 0, 12), overProvisioned, TWELVE, Memory.EMPTY, T0);
        assertThat(first.kind()).isEqualTo(Kind.HOLD);
        assertThat(first.desired()).isEqualTo(3); // ceil(2000 / (1000 * 0.7))
        // Not kept until it has brought the job down: it never drives a scale-up.
        assertThat(first.memory().knowsCapacity()).isFalse();

        Instant due = T0.plusSeconds(600);
        Decision down =
                decider.decide(
                        load(due, 2000, 2000, 0, 12), overProvisioned, TWELVE, first.memory(), due);
        assertThat(down.kind()).isEqualTo(Kind.SCALE_DOWN);
        assertThat(down.to()).isEqualTo(3);
        assertThat(down.memory().capacity()).isEqualTo(1000);

        // With a backlog Flink's figure is not used: the saturated window measures capacity
        // itself (1000/s processed by 2), and that drives the scale-up.
        Decision behind =
                decider.decide(
                        load(T0, 2000, 1000, 600_000, 12),
                        new DeploymentView(true, "lifecycle STABLE, job RUNNING", 2, null, 1000),
                        TWELVE,
                        Memory.EMPTY,
                        T0);
        assertThat(behind.memory().capacity()).isEqualTo(500);
        assertThat(behind.kind()).isEqualTo(Kind.SCALE_UP);
        assertThat(behind.to()).isEqualTo(12);

        // Without Flink's figure the same job waits for a saturation that never comes.
        Decision blind =
                decider.decide(load(T0, 2000, 2000, 0, 12), running(12), TWELVE, Memory.EMPTY, T0);
        assertThat(blind.reason()).startsWith("capacity unknown");
    }

    /**
     * A steady lag of slow checkpoints looks like a backlog that was there all window; Flink's
     * counters say the source waited for input 80 % of the time, so nothing is learned from it (the
     * closed loop's replacement controller learned 10/s per instance of a 100/s source this way).
     */
    @Test
    void aSourceIdleMostOfTheTimeIsNotSaturatedWhateverTheLag() {
        // 2000 records, 33 s of input: above half of "near zero" (60 s), all window long.
        Observation steadyLag = load(T0, 60, 60, 2000, 12);
        DeploymentView mostlyIdle =
                new DeploymentView(true, "lifecycle STABLE, job RUNNING", 6, null, Double.NaN, 0.8);
        Decision idle = decider.decide(steadyLag, mostlyIdle, TWELVE, Memory.EMPTY, T0);
        assertThat(idle.memory().knowsCapacity()).isFalse();

        DeploymentView busy =
                new DeploymentView(true, "lifecycle STABLE, job RUNNING", 6, null, Double.NaN, 0.1);
        Decision saturated = decider.decide(steadyLag, busy, TWELVE, Memory.EMPTY, T0);
        assertThat(saturated.memory().capacity()).isEqualTo(10.0);
    }

    /** A capacity learned from saturated windows is not replaced by Flink's figure. */
    @Test
    void aLearnedCapacityWinsOverFlinksFigure() {
        DeploymentView view =
                new DeploymentView(true, "lifecycle STABLE, job RUNNING", 4, null, 5000);
        Decision hold =
                decider.decide(load(T0, 2000, 2000, 0, 12), view, TWELVE, knowing(CAPACITY), T0);
        assertThat(hold.memory().capacity()).isEqualTo(CAPACITY);
    }
}
