package com.streampulse.job.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.records.Download;
import com.streampulse.job.records.Download.Status;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventValidatorTest {

    private static final long NOW = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();
    private static final long ONE_HOUR = 3_600_000L;
    private static final String LONGEST_KEY = "k".repeat(256);

    @Test
    void aValidEventHasNoProblem() {
        assertThat(EventValidator.problem(event().build(), NOW)).isNull();
    }

    @Test
    void emptyIdsAreInvalid() {
        assertThat(problem(event().eventIdLength(0))).isEqualTo("event_id is empty");
        assertThat(problem(event().userIdLength(0))).isEqualTo("user_id is empty");
    }

    @Test
    void timestampMustBeFrom2000On() {
        long y2k = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();

        assertThat(problem(event().timestamp(y2k))).isNull();
        assertThat(problem(event().timestamp(y2k - 1)))
                .isEqualTo("timestamp 946684799999 is before 2000-01-01");
        assertThat(problem(event().timestamp(Long.MIN_VALUE)))
                .isEqualTo("timestamp -9223372036854775808 is before 2000-01-01");
    }

    @Test
    void timestampMayBeAtMostOneHourAheadOfItsKafkaRecord() {
        String ahead = " is more than 1 h ahead of its Kafka record's timestamp " + NOW;
        assertThat(problem(event().timestamp(NOW + ONE_HOUR))).isNull();
        assertThat(problem(event().timestamp(NOW + ONE_HOUR + 1)))
                .isEqualTo("timestamp " + (NOW + ONE_HOUR + 1) + ahead);
        assertThat(problem(event().timestamp(Long.MAX_VALUE)))
                .isEqualTo("timestamp 9223372036854775807" + ahead);
    }

    @Test
    void blankKeysAreInvalid() {
        assertThat(problem(event().contentId(""))).isEqualTo("content.content_id is empty");
        assertThat(problem(event().region(" \t"))).isEqualTo("user_context.region is empty");
        assertThat(problem(event().device("   "))).isEqualTo("user_context.device is empty");
        assertThat(problem(event().osVersion(""))).isEqualTo("user_context.os_version is empty");
    }

    @Test
    void keysWithNulAreInvalid() {
        // PostgreSQL text can't hold NUL: the row would be refused and fail the sink.
        assertThat(problem(event().contentId("mov\0x")))
                .isEqualTo("content.content_id contains a NUL character");
        assertThat(problem(event().osVersion("iOS\0")))
                .isEqualTo("user_context.os_version contains a NUL character");
    }

    @Test
    void keysLongerThan256CharactersAreInvalid() {
        assertThat(problem(event().region(LONGEST_KEY))).isNull();
        assertThat(problem(event().region(LONGEST_KEY + "k")))
                .isEqualTo("user_context.region is longer than 256 characters");
        assertThat(problem(event().device(LONGEST_KEY + "k")))
                .isEqualTo("user_context.device is longer than 256 characters");
    }

    @Test
    void titleMayBeEmptyButNotHugeOrWithNul() {
        assertThat(problem(event().title(""))).isNull();
        assertThat(problem(event().title("t".repeat(1024)))).isNull();
        assertThat(problem(event().title("t".repeat(1025))))
                .isEqualTo("content.title is longer than 1024 or contains NUL");
        assertThat(problem(event().title("a\0b")))
                .isEqualTo("content.title is longer than 1024 or contains NUL");
    }

    @Test
    void negativeNumbersAreInvalid() {
        assertThat(problem(event().sizeMb(-1))).isEqualTo("content.size_mb is negative: -1");
        assertThat(problem(event().price(-0.01f)))
                .isEqualTo("content.price is negative or not finite: -0.01");
        assertThat(problem(event().durationSeconds(-5)))
                .isEqualTo("download.duration_seconds is negative: -5");
        assertThat(problem(event().speedMbps(-1.5f)))
                .isEqualTo("download.speed_mbps is negative or not finite: -1.5");
    }

    @Test
    void zeroIsAValidNumber() {
        assertThat(problem(event().sizeMb(0).price(0f).durationSeconds(0).speedMbps(0f))).isNull();
    }

    @Test
    void nonFiniteNumbersAreInvalid() {
        assertThat(problem(event().price(Float.NaN)))
                .isEqualTo("content.price is negative or not finite: NaN");
        assertThat(problem(event().price(Float.POSITIVE_INFINITY)))
                .isEqualTo("content.price is negative or not finite: Infinity");
        assertThat(problem(event().speedMbps(Float.NaN)))
                .isEqualTo("download.speed_mbps is negative or not finite: NaN");
        assertThat(problem(event().speedMbps(Float.POSITIVE_INFINITY)))
                .isEqualTo("download.speed_mbps is negative or not finite: Infinity");
        assertThat(problem(event().speedMbps(Float.NEGATIVE_INFINITY)))
                .isEqualTo("download.speed_mbps is negative or not finite: -Infinity");
    }

    @Test
    void speedAboveOneTerabitIsInvalid() {
        assertThat(problem(event().speedMbps(1_000_000f))).isNull();
        // 1_000_000.1f is the float 1000000.125, which Java prints as its shortest form.
        assertThat(problem(event().speedMbps(1_000_000.1f)))
                .isEqualTo("download.speed_mbps is above 1000000.0: 1000000.1");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "ok",
                "succeeded",
                "success ",
                "fail",
                "canceled",
                "pending",
                "ſuccess",
                "faıled"
            })
    void unknownStatusIsInvalid(String status) {
        assertThat(problem(event().status(status)))
                .isEqualTo("download.status is not success, failed or cancelled");
    }

    @Test
    void statusIsMatchedWithoutRegardToCase() {
        assertThat(EventValidator.status("success")).isEqualTo(Status.SUCCESS);
        assertThat(EventValidator.status("SUCCESS")).isEqualTo(Status.SUCCESS);
        assertThat(EventValidator.status("Failed")).isEqualTo(Status.FAILED);
        assertThat(EventValidator.status("cAnCeLlEd")).isEqualTo(Status.CANCELLED);
        assertThat(EventValidator.status("unknown")).isNull();
        assertThat(problem(event().status("FAILED"))).isNull();
    }

    @Test
    void theFirstProblemIsReported() {
        assertThat(problem(event().eventIdLength(0).userIdLength(0).sizeMb(-1)))
                .isEqualTo("event_id is empty");
    }

    @Test
    void projectsAValidEventWithSpeedInWholeMicroMbps() {
        DecodedEvent e = event().status("Cancelled").speedMbps(12.3f).build();

        Download d = EventValidator.toDownload(e, 3, 41L, NOW, null);

        assertThat(d)
                .isEqualTo(
                        new Download(
                                NOW,
                                "mov_1",
                                "Title One",
                                "EU-Berlin",
                                "Pixel 9",
                                "Android 15",
                                Status.CANCELLED,
                                120,
                                // 12.3f is 12.30000019...; rounded to whole micro-Mbps.
                                12_300_000L,
                                700,
                                3,
                                41L,
                                NOW,
                                null,
                                false));
    }

    @Test
    void highestValidSpeedIsExactInMicroMbps() {
        Download d =
                EventValidator.toDownload(event().speedMbps(1_000_000f).build(), 0, 0, NOW, null);

        assertThat(d.speedMicros()).isEqualTo(1_000_000_000_000L);
    }

    private static String problem(EventBuilder b) {
        return EventValidator.problem(b.build(), NOW);
    }

    static EventBuilder event() {
        return new EventBuilder();
    }

    /** A valid event unless told otherwise. */
    static final class EventBuilder {
        private int eventIdLength = 36;
        private long timestamp = NOW;
        private int userIdLength = 7;
        private String contentId = "mov_1";
        private String title = "Title One";
        private int sizeMb = 700;
        private float price = 4.99f;
        private String status = "success";
        private int durationSeconds = 120;
        private float speedMbps = 25f;
        private String region = "EU-Berlin";
        private String device = "Pixel 9";
        private String osVersion = "Android 15";

        EventBuilder eventIdLength(int v) {
            eventIdLength = v;
            return this;
        }

        EventBuilder timestamp(long v) {
            timestamp = v;
            return this;
        }

        EventBuilder userIdLength(int v) {
            userIdLength = v;
            return this;
        }

        EventBuilder contentId(String v) {
            contentId = v;
            return this;
        }

        EventBuilder title(String v) {
            title = v;
            return this;
        }

        EventBuilder sizeMb(int v) {
            sizeMb = v;
            return this;
        }

        EventBuilder price(float v) {
            price = v;
            return this;
        }

        EventBuilder status(String v) {
            status = v;
            return this;
        }

        EventBuilder durationSeconds(int v) {
            durationSeconds = v;
            return this;
        }

        EventBuilder speedMbps(float v) {
            speedMbps = v;
            return this;
        }

        EventBuilder region(String v) {
            region = v;
            return this;
        }

        EventBuilder device(String v) {
            device = v;
            return this;
        }

        EventBuilder osVersion(String v) {
            osVersion = v;
            return this;
        }

        DecodedEvent build() {
            return new DecodedEvent(
                    eventIdLength,
                    timestamp,
                    userIdLength,
                    contentId,
                    title,
                    sizeMb,
                    price,
                    status,
                    durationSeconds,
                    speedMbps,
                    region,
                    device,
                    osVersion);
        }
    }
}
