package com.streampulse.job;

import com.streampulse.config.ConfigException;
import com.streampulse.config.Settings;
import com.streampulse.job.config.PostgresSettings;
import com.streampulse.schemas.Migrations;

/**
 * Applies the PostgreSQL migrations and exits: what the Helm chart's pre-install and pre-upgrade
 * hook runs, from the job image, with the job's PG_* variables.
 */
public final class MigrateMain {

    private MigrateMain() {}

    public static void main(String[] args) {
        PostgresSettings pg;
        try {
            pg = PostgresSettings.from(Settings.fromEnvironment(args));
        } catch (ConfigException e) {
            System.err.println("❌ Configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("Migrating " + pg.describe() + ", timeouts " + pg.timeouts().describe());
        int applied = Migrations.apply(pg.jdbcUrl(), pg.user(), pg.password().value());
        System.out.println("✅ Applied " + applied + " migrations");
    }
}
