package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.streampulse.testkit.EmbeddedPostgresDb;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SQL that `make e2e` runs with psql in the kind cluster, run here against a real PostgreSQL
 * with the real migrations: a renamed column fails this test, not a user's first e2e run.
 */
class E2eQueriesTest {

    /** psql arguments in the Makefile: $(PSQL) -c '...' or $(PSQL) -tAc '...'. */
    private static final Pattern PSQL_QUERY = Pattern.compile("\\$\\(PSQL\\) -[tA]*c '([^']+)'");

    private static EmbeddedPostgresDb postgres;

    @BeforeAll
    static void start() {
        // Migrated by the test kit with the project's Flyway migrations.
        postgres = EmbeddedPostgresDb.start();
    }

    @AfterAll
    static void stop() {
        postgres.close();
    }

    @Test
    void everyQueryOfTheE2eTargetRunsAgainstTheMigratedSchema() throws Exception {
        List<String> queries = e2eQueries();

        assertThat(queries).hasSize(6);
        try (Connection connection = postgres.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            for (String query : queries) {
                assertThatCode(() -> statement.executeQuery(query).close())
                        .as(query)
                        .doesNotThrowAnyException();
            }
        }
    }

    private static List<String> e2eQueries() throws IOException {
        String makefile = Files.readString(Project.fromBuild().root().resolve("Makefile"));
        String target = makefile.substring(makefile.indexOf("\ne2e:"));
        target = target.substring(0, target.indexOf("\n.PHONY", 1));
        List<String> queries = new ArrayList<>();
        Matcher m = PSQL_QUERY.matcher(target);
        while (m.find()) {
            queries.add(m.group(1));
        }
        return queries;
    }
}
