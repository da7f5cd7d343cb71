package com.streampulse.job.guard;

import static com.streampulse.job.records.Downloads.read;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.guard.StartCheck.Start;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StartCheckTest {

    private static final long MINUTE = 60_000;
    private static final Instant T0 = Instant.parse("2025-03-01T08:00:00Z");

    private static Optional<NewestWindow> newest(String table, Instant windowStart) {
        return Optional.of(new NewestWindow(table, windowStart.toEpochMilli()));
    }

    @Test
    void tablesHoldingTheFirstEventsWindowRefuseWithOneLineSayingWhatAndWhatToDo() {
        Optional<String> refusal =
                StartCheck.refusal(
                        newest("region_health", T0.plusSeconds(120)),
                        MINUTE,
                        "content-downloads",
                        read(T0.plusSeconds(150), 2, 4711));

        assertThat(refusal)
                .contains(
                        "Refusing to start without state: region_health already holds the window"
                                + " 2025-03-01T08:02:00Z, at or after the window"
                                + " 2025-03-01T08:02:00Z of the first event read from"
                                + " content-downloads partition 2 (offset 4711, event time"
                                + " 2025-03-01T08:02:30Z), so this start would overwrite complete"
                                + " rows with partial sums. Restore the job from its last"
                                + " checkpoint or savepoint, or set ALLOW_STATELESS_START=true"
                                + " (--allow-stateless-start) to accept the overwrite.");
        assertThat(refusal.get()).doesNotContain("\n");
    }

    @Test
    void tablesHoldingANewerWindowRefuse() {
        assertThat(
                        StartCheck.refusal(
                                newest("content_stats", T0.plusSeconds(600)),
                                MINUTE,
                                "t",
                                read(T0.plusSeconds(150), 0, 0)))
                .isPresent();
    }

    @Test
    void tablesWhoseWindowsAreAllOlderPass() {
        // The newest window ends exactly where the first event's window begins.
        assertThat(
                        StartCheck.refusal(
                                newest("content_stats", T0.plusSeconds(60)),
                                MINUTE,
                                "t",
                                read(T0.plusSeconds(120), 0, 0)))
                .isEmpty();
    }

    @Test
    void emptyTablesPass() {
        assertThat(StartCheck.refusal(Optional.empty(), MINUTE, "t", read(T0, 0, 0))).isEmpty();
    }

    @Test
    void windowsFollowTheConfiguredSize() {
        long fiveMinutes = 5 * MINUTE;
        // 08:04:59 lies in the 08:00 window of five minutes, which the tables hold.
        assertThat(
                        StartCheck.refusal(
                                newest("device_stats", T0),
                                fiveMinutes,
                                "t",
                                read(T0.plusSeconds(299), 0, 0)))
                .isPresent();
        assertThat(
                        StartCheck.refusal(
                                newest("device_stats", T0),
                                fiveMinutes,
                                "t",
                                read(T0.plusSeconds(300), 0, 0)))
                .isEmpty();
        assertThat(StartCheck.windowStart(T0.toEpochMilli() + 299_999, fiveMinutes))
                .isEqualTo(T0.toEpochMilli());
    }

    @Test
    void onlyAFirstAttemptWithoutStateAndWithoutTheOverrideIsChecked() {
        assertThat(Start.of(false, 0, false)).isEqualTo(Start.CHECK);
        assertThat(Start.of(false, 0, true)).isEqualTo(Start.ALLOWED);
        assertThat(Start.of(false, 3, false)).isEqualTo(Start.RETRY);
        assertThat(Start.of(true, 0, false)).isEqualTo(Start.RESTORED);
        assertThat(Start.of(true, 2, true)).isEqualTo(Start.RESTORED);
    }
}
