package com.streampulse.schemas;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** Applies the versioned PostgreSQL migrations shipped in this module. */
public final class Migrations {

    /** Classpath location of the migration scripts, also packaged into the Helm hook image. */
    public static final String LOCATION = "classpath:db/migration";

    private Migrations() {}

    /** Applies every pending migration and returns how many ran. Safe to call on every start. */
    public static int apply(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations(LOCATION)
                .load()
                .migrate()
                .migrationsExecuted;
    }

    /** The same, for a JDBC URL and credentials. */
    public static int apply(String jdbcUrl, String user, String password) {
        return Flyway.configure()
                .dataSource(jdbcUrl, user, password)
                .locations(LOCATION)
                .load()
                .migrate()
                .migrationsExecuted;
    }
}
