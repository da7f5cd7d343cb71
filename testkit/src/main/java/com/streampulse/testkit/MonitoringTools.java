package com.streampulse.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The monitoring servers the tests run for real: promtool, prometheus and alertmanager from the
 * machine (Debian's {@code prometheus} and {@code prometheus-alertmanager} packages, which {@code
 * .ci/install-monitoring-tools} installs; Debian names Alertmanager's binary {@code
 * prometheus-alertmanager}).
 *
 * <p>Where one is missing a developer's run skips the tests that need it with one line saying what
 * to install; CI (CI=true) fails instead, so a green CI run always ran them.
 */
public final class MonitoringTools {

    public static final String INSTALL_HINT =
            "run .ci/install-monitoring-tools (Debian: apt-get install prometheus"
                    + " prometheus-alertmanager)";

    private MonitoringTools() {}

    public static Path promtool() {
        return find("promtool", List.of("promtool"));
    }

    public static Path prometheus() {
        return find("prometheus", List.of("prometheus"));
    }

    public static Path alertmanager() {
        return find("alertmanager", List.of("alertmanager", "prometheus-alertmanager"));
    }

    private static Path find(String tool, List<String> names) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/usr/local/bin");
        for (String name : names) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        String line = tool + " is not installed: " + INSTALL_HINT;
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(line);
        }
        Assumptions.abort(line);
        return null;
    }
}
