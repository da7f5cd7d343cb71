package com.streampulse.job.config;

import static com.streampulse.job.config.ConfigFixtures.PG_SECRET;
import static com.streampulse.job.config.ConfigFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.streampulse.config.ConfigException;
import com.streampulse.config.Secret;
import org.junit.jupiter.api.Test;

class PostgresSettingsTest {

    @Test
    void defaults() {
        PostgresSettings pg = PostgresSettings.from(with());

        assertThat(pg)
                .isEqualTo(
                        new PostgresSettings(
                                "db.internal",
                                5432,
                                "streampulse",
                                "streampulse",
                                new Secret(null),
                                "prefer",
                                false));
        assertThat(pg.jdbcUrl())
                .isEqualTo(
                        "jdbc:postgresql://db.internal:5432/streampulse?sslmode=prefer"
                                + "&ApplicationName=streampulse&connectTimeout=10&loginTimeout=20"
                                + "&socketTimeout=45&options=-c%20statement_timeout%3D30000");
    }

    @Test
    void everyVariableIsRead() {
        PostgresSettings pg =
                PostgresSettings.from(
                        with(
                                "PG_PORT", "6543",
                                "PG_DATABASE", "analytics",
                                "PG_PASSWORD", PG_SECRET,
                                "PG_SSLMODE", "VERIFY-FULL",
                                "PG_MIGRATE", "yes"));

        assertThat(pg.port()).isEqualTo(6543);
        assertThat(pg.database()).isEqualTo("analytics");
        assertThat(pg.password().value()).isEqualTo(PG_SECRET);
        assertThat(pg.sslMode()).isEqualTo("verify-full");
        assertThat(pg.migrate()).isTrue();
        // Credentials travel as connection properties, never in the URL.
        assertThat(pg.jdbcUrl()).doesNotContain(PG_SECRET).doesNotContain("streampulse:");
    }

    @Test
    void hostAndUserAreRequired() {
        assertThatThrownBy(() -> PostgresSettings.from(with("PG_HOST", null)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PG_HOST is required (or --pg-host)");
        assertThatThrownBy(() -> PostgresSettings.from(with("PG_USER", "")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PG_USER is required (or --pg-user)");
    }

    @Test
    void malformedValuesNameTheirVariable() {
        assertThatThrownBy(() -> PostgresSettings.from(with("PG_PORT", "70000")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PG_PORT must be between 1 and 65535, got 70000");
        assertThatThrownBy(() -> PostgresSettings.from(with("PG_SSLMODE", "on")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "PG_SSLMODE must be disable, allow, prefer, require, verify-ca or"
                                + " verify-full, got 'on'");
        assertThatThrownBy(() -> PostgresSettings.from(with("PG_MIGRATE", "sometimes")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PG_MIGRATE must be true or false, got 'sometimes'");
    }

    @Test
    void describeAndToStringNeverShowThePassword() {
        PostgresSettings pg = PostgresSettings.from(with("PG_PASSWORD", PG_SECRET));

        assertThat(pg.describe())
                .isEqualTo(
                        "db.internal:5432/streampulse user=streampulse password=******"
                                + " sslmode=prefer");
        assertThat(pg.toString()).isEqualTo("PostgresSettings[" + pg.describe() + "]");
        assertThat(PostgresSettings.from(with()).describe()).contains("password=(not set)");
    }
}
