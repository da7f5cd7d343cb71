package com.streampulse.deploy;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Renders the StreamPulse chart with real Helm (helm-java), offline.
 *
 * <p>helm-java's template command returns the release manifest only, without hooks (the migration
 * Job, and the Secret when the chart creates it). So templates are rendered from a copy of the
 * chart in which the hook annotation key is renamed to {@link #HOOK_ANNOTATION}: Helm then treats
 * them as plain resources, and the tests still see which hook each one was.
 */
final class Charts {

    static final String RELEASE = "streampulse";
    static final String NAMESPACE = "streampulse";
    static final String HOOK_ANNOTATION = "test.streampulse.io/helm-hook";

    private static Path hooksVisibleCopy;

    private Charts() {}

    /** helm template streampulse helm/streampulse -n streampulse --set k=v ..., hooks included. */
    static String template(Project project, Map<String, String> values) {
        TemplateCommand template =
                new Helm(hooksVisible(project))
                        .template()
                        .withName(RELEASE)
                        .withNamespace(NAMESPACE);
        values.forEach(template::set);
        return template.call();
    }

    /** What `helm install --dry-run=client` prints: the release summary and NOTES.txt. */
    static String installDryRunOutput(Project project, Map<String, String> values) {
        var install =
                new Helm(project.chart())
                        .install()
                        .withName(RELEASE)
                        .withNamespace(NAMESPACE)
                        .clientOnly()
                        .dryRun()
                        .withDryRunOption(DryRun.CLIENT);
        values.forEach(install::set);
        return install.call().getOutput();
    }

    /** Copies a chart directory to {@code target}. */
    static Path copy(Path chart, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(chart)) {
            for (Path source : files.toList()) {
                Path destination = target.resolve(chart.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(source, destination);
                }
            }
        }
        return target;
    }

    private static synchronized Path hooksVisible(Project project) {
        if (hooksVisibleCopy == null) {
            try {
                Path base = Files.createTempDirectory("chart-hooks-visible");
                Path chart = copy(project.chart(), base.resolve("streampulse"));
                try (Stream<Path> files = Files.walk(chart.resolve("templates"))) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        String text = Files.readString(file);
                        Files.writeString(
                                file,
                                text.replace("helm.sh/hook:", HOOK_ANNOTATION + ":")
                                        .replace(
                                                "helm.sh/hook-", "test.streampulse.io/helm-hook-"));
                    }
                }
                hooksVisibleCopy = chart;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return hooksVisibleCopy;
    }
}
