package com.streampulse.job.config;

import static com.streampulse.job.config.ConfigFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.config.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PostgresTimeoutsTest {

    @Test
    void defaultsLetABlackHoleFailASinkWithinAMinuteAndAHalf() {
        PostgresTimeouts t = PostgresSettings.from(with()).timeouts();

        assertThat(t).isEqualTo(PostgresTimeouts.DEFAULTS);
        assertThat(t.connect()).isEqualTo(Duration.ofSeconds(10));
        assertThat(t.login()).isEqualTo(Duration.ofSeconds(20));
        assertThat(t.socket()).isEqualTo(Duration.ofSeconds(45));
        assertThat(t.statement()).isEqualTo(Duration.ofSeconds(30));
        assertThat(t.giveUpAfter()).isEqualTo(Duration.ofSeconds(65));
    }

    @Test
    void everyTimeoutIsReadAndLandsInTheUrl() {
        PostgresSettings pg =
                PostgresSettings.from(
                        with(
                                "PG_CONNECT_TIMEOUT", "3s",
                                "PG_LOGIN_TIMEOUT", "4",
                                "PG_SOCKET_TIMEOUT", "2m",
                                "PG_STATEMENT_TIMEOUT", "1500ms"));

        assertThat(pg.timeouts())
                .isEqualTo(
                        new PostgresTimeouts(
                                Duration.ofSeconds(3),
                                Duration.ofSeconds(4),
                                Duration.ofMinutes(2),
                                Duration.ofMillis(1500)));
        assertThat(pg.jdbcUrl())
                .endsWith(
                        "&connectTimeout=3&loginTimeout=4&socketTimeout=120"
                                + "&options=-c%20statement_timeout%3D1500");
        assertThat(pg.timeouts().describe())
                .isEqualTo("connect 3s, login 4s, socket 120s, statement 1500ms");
    }

    @Test
    void statementTimeoutZeroSendsNoStartupOption() {
        PostgresSettings pg = PostgresSettings.from(with("PG_STATEMENT_TIMEOUT", "0"));

        assertThat(pg.jdbcUrl()).doesNotContain("options").endsWith("&socketTimeout=45");
        assertThat(pg.timeouts().describe()).endsWith("statement server's own");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "PG_SOCKET_TIMEOUT | 1500ms | PG_SOCKET_TIMEOUT must be whole seconds (the driver"
                        + " counts in seconds), got 1500ms",
                "PG_CONNECT_TIMEOUT | 0 | PG_CONNECT_TIMEOUT must be at least 1000ms, got '0'",
                "PG_LOGIN_TIMEOUT | 2h | PG_LOGIN_TIMEOUT must be at most 1h, got 7200s",
                "PG_STATEMENT_TIMEOUT | soon | PG_STATEMENT_TIMEOUT must be a duration such as"
                        + " 500ms, 10s, 5m or 1h, got 'soon'",
                "PG_LOGIN_TIMEOUT | 5s | PG_LOGIN_TIMEOUT must be at least PG_CONNECT_TIMEOUT"
                        + " (10s), it includes the connect; got 5s",
                "PG_SOCKET_TIMEOUT | 30s | PG_SOCKET_TIMEOUT must be longer than"
                        + " PG_STATEMENT_TIMEOUT (30s), so the server cancels a slow statement"
                        + " before the client drops the connection; got 30s",
            })
    void malformedOrInconsistentTimeoutsStopTheStartNamingTheVariable(
            String name, String value, String message) {
        assertThatThrownBy(() -> PostgresSettings.from(with(name, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }

    @Test
    void socketTimeoutMayBeShortWhenTheServerKeepsItsOwnStatementTimeout() {
        PostgresTimeouts t =
                PostgresSettings.from(with("PG_STATEMENT_TIMEOUT", "0", "PG_SOCKET_TIMEOUT", "5s"))
                        .timeouts();

        assertThat(t.socket()).isEqualTo(Duration.ofSeconds(5));
    }
}
