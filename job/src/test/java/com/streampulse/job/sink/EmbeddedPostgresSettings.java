package com.streampulse.job.sink;

import com.streampulse.config.Secret;
import com.streampulse.job.config.PostgresSettings;
import com.streampulse.testkit.EmbeddedPostgresDb;

/** The job's connection settings for a test's embedded PostgreSQL (no TLS, no sink tuning). */
final class EmbeddedPostgresSettings {

    private EmbeddedPostgresSettings() {}

    static PostgresSettings of(EmbeddedPostgresDb db) {
        return new PostgresSettings(
                "localhost",
                db.port(),
                EmbeddedPostgresDb.DATABASE,
                EmbeddedPostgresDb.USER,
                new Secret(EmbeddedPostgresDb.PASSWORD),
                "disable",
                false);
    }
}
