package com.streampulse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsTest {

    private static final String[] NO_ARGS = {};

    @Test
    void environmentValueIsTrimmedAndBlankMeansUnset() {
        Settings s =
                Settings.of(Map.of("KAFKA_TOPIC", "  orders \n", "KAFKA_GROUP_ID", "   "), NO_ARGS);

        assertThat(s.string("KAFKA_TOPIC", "d")).isEqualTo("orders");
        assertThat(s.string("KAFKA_GROUP_ID", "default-group")).isEqualTo("default-group");
        assertThat(s.string("MISSING", null)).isNull();
    }

    @Test
    void flagWithEqualsOverridesTheEnvironment() {
        Settings s =
                Settings.of(Map.of("KAFKA_TOPIC", "from-env"), new String[] {"--kafka-topic=x"});

        assertThat(s.string("KAFKA_TOPIC", null)).isEqualTo("x");
    }

    @Test
    void flagWithSeparateValueOverridesTheEnvironment() {
        Settings s =
                Settings.of(Map.of("KAFKA_TOPIC", "from-env"), new String[] {"--kafka-topic", "x"});

        assertThat(s.string("KAFKA_TOPIC", null)).isEqualTo("x");
    }

    @Test
    void flagValueMayContainEqualsAndMayBeNegative() {
        Settings s =
                Settings.of(
                        Map.of(), new String[] {"--pg-password=a=b", "--alert-min-events", "-5"});

        assertThat(s.secret("PG_PASSWORD").value()).isEqualTo("a=b");
        assertThatThrownBy(() -> s.integer("ALERT_MIN_EVENTS", 5, 1, 10))
                .isInstanceOf(ConfigException.class)
                .hasMessage("ALERT_MIN_EVENTS must be between 1 and 10, got -5");
    }

    @Test
    void flagWithoutValueIsTrue() {
        Settings s =
                Settings.of(Map.of(), new String[] {"--pg-migrate", "--kafka-topic", "t", "--x"});

        assertThat(s.bool("PG_MIGRATE", false)).isTrue();
        assertThat(s.bool("X", false)).isTrue();
        assertThat(s.string("KAFKA_TOPIC", null)).isEqualTo("t");
    }

    @Test
    void lastFlagWins() {
        Settings s = Settings.of(Map.of(), new String[] {"--kafka-topic=a", "--KAFKA-TOPIC=b"});

        assertThat(s.string("KAFKA_TOPIC", null)).isEqualTo("b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"kafka-topic=x", "-k", "--", "x"})
    void argumentThatIsNotAFlagIsRejected(String arg) {
        assertThatThrownBy(() -> Settings.of(Map.of(), new String[] {arg}))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Unexpected argument '" + arg + "': flags look like --name=value");
    }

    @Test
    void flagAndVariableNamesMapBothWays() {
        assertThat(Settings.variableName("kafka-bootstrap-servers"))
                .isEqualTo("KAFKA_BOOTSTRAP_SERVERS");
        assertThat(Settings.flagName("KAFKA_BOOTSTRAP_SERVERS"))
                .isEqualTo("--kafka-bootstrap-servers");
    }

    @Test
    void requiredNamesTheVariableAndItsFlag() {
        assertThatThrownBy(() -> settings("PG_HOST", " ").required("PG_HOST"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PG_HOST is required (or --pg-host)");
    }

    @Test
    void integers() {
        assertThat(settings("PG_PORT", "6543").integer("PG_PORT", 5432, 1, 65535)).isEqualTo(6543);
        assertThat(settings("OTHER", "1").integer("PG_PORT", 5432, 1, 65535)).isEqualTo(5432);
        assertThatThrownBy(() -> settings("PG_PORT", "54x").integer("PG_PORT", 5432, 1, 65535))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PG_PORT must be a whole number, got '54x'");
        assertThatThrownBy(() -> settings("PG_PORT", "0").integer("PG_PORT", 5432, 1, 65535))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PG_PORT must be between 1 and 65535, got 0");
        assertThatThrownBy(
                        () -> settings("PG_PORT", "99999999999").integer("PG_PORT", 5432, 1, 65535))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PG_PORT must be a whole number, got '99999999999'");
    }

    @Test
    void decimals() {
        assertThat(settings("RATE", "0.25").decimal("RATE", 0.1, 0, 1)).isEqualTo(0.25);
        assertThat(settings("OTHER", "1").decimal("RATE", 0.1, 0, 1)).isEqualTo(0.1);
        assertThatThrownBy(() -> settings("RATE", "ten").decimal("RATE", 0.1, 0, 1))
                .isInstanceOf(ConfigException.class)
                .hasMessage("RATE must be a number, got 'ten'");
        assertThatThrownBy(() -> settings("RATE", "1.5").decimal("RATE", 0.1, 0, 1))
                .isInstanceOf(ConfigException.class)
                .hasMessage("RATE must be between 0.0 and 1.0, got 1.5");
        // NaN compares false with everything: it must not slip through the range check.
        assertThatThrownBy(() -> settings("RATE", "NaN").decimal("RATE", 0.1, 0, 1))
                .isInstanceOf(ConfigException.class)
                .hasMessage("RATE must be between 0.0 and 1.0, got NaN");
    }

    @Test
    void booleans() {
        for (String yes : new String[] {"true", "YES", "1"}) {
            assertThat(settings("PG_MIGRATE", yes).bool("PG_MIGRATE", false)).isTrue();
        }
        for (String no : new String[] {"False", "no", "0"}) {
            assertThat(settings("PG_MIGRATE", no).bool("PG_MIGRATE", true)).isFalse();
        }
        assertThatThrownBy(() -> settings("PG_MIGRATE", "maybe").bool("PG_MIGRATE", false))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PG_MIGRATE must be true or false, got 'maybe'");
    }

    @Test
    void durationsInEveryUnitAndBareSeconds() {
        assertThat(duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(duration("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(duration("10")).isEqualTo(Duration.ofSeconds(10));
        assertThat(duration("10 S")).isEqualTo(Duration.ofSeconds(10));
        assertThat(duration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(
                        settings("OTHER", "1")
                                .duration("IDLENESS", Duration.ofSeconds(30), Duration.ZERO))
                .isEqualTo(Duration.ofSeconds(30));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5s", "-1s", "10d", "s", "10 seconds", "PT10S"})
    void malformedDurationNamesTheVariable(String value) {
        assertThatThrownBy(() -> duration(value))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "IDLENESS must be a duration such as 500ms, 10s, 5m or 1h, got '"
                                + value
                                + "'");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "99999999999999999999", // more digits than a long holds
                "9999999999999999h", // more hours than a Duration holds
                "9223372036854775807s" // a Duration, but not in milliseconds
            })
    void durationTooLargeToUseNamesTheVariable(String value) {
        assertThatThrownBy(() -> duration(value))
                .isInstanceOf(ConfigException.class)
                .hasMessage("IDLENESS is too large, got '" + value + "'");
    }

    @Test
    void durationBelowItsMinimumNamesTheVariable() {
        assertThatThrownBy(
                        () ->
                                settings("IDLENESS", "50ms")
                                        .duration(
                                                "IDLENESS",
                                                Duration.ofSeconds(30),
                                                Duration.ofMillis(100)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("IDLENESS must be at least 100ms, got '50ms'");
    }

    private static Duration duration(String value) {
        return settings("IDLENESS", value)
                .duration("IDLENESS", Duration.ofSeconds(30), Duration.ZERO);
    }

    private static Settings settings(String name, String value) {
        return Settings.of(Map.of(name, value), NO_ARGS);
    }
}
