package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every version a user sees (Dockerfiles, Chart.yaml, image tags, operator config, docs) agrees
 * with the parent POM, the one place versions live.
 */
class VersionsTest {

    private static final Pattern FLINK_IMAGE = Pattern.compile("\\bflink:(\\d+\\.\\d+[\\w.-]*)");
    private static final Pattern OPERATOR =
            Pattern.compile("flink-kubernetes-operator[-/](\\d+\\.\\d+\\.\\d+)");
    private static final Pattern OUR_IMAGE =
            Pattern.compile("\\bstreampulse-(?:job|autoscaler|generator):([\\w.-]+)");
    private static final Pattern JRE_IMAGE = Pattern.compile("\\beclipse-temurin:([\\w.-]+)");
    private static final Pattern KAFKA_IMAGE = Pattern.compile("\\bapache/kafka:([\\w.-]+)");
    private static final Pattern FLINK_PLUGIN =
            Pattern.compile("flink-s3-fs-(?:presto|hadoop)-(\\d+\\.\\d+\\.\\d+)\\.jar");

    private static Project project;

    @BeforeAll
    static void load() {
        project = Project.fromBuild();
    }

    @Test
    void dockerfileDefaultsAreThePomValues() {
        assertThat(arg("job/Dockerfile", "FLINK_IMAGE")).isEqualTo(project.flinkImage());
        assertThat(arg("job/Dockerfile", "JOB_VERSION")).isEqualTo(project.version());
        assertThat(arg("autoscaler/Dockerfile", "BASE_IMAGE"))
                .isEqualTo(project.autoscalerBaseImage());
        assertThat(arg("generator/Dockerfile", "BASE_IMAGE"))
                .isEqualTo(project.autoscalerBaseImage());
        assertThat(arg("generator/Dockerfile", "APP_VERSION")).isEqualTo(project.version());
    }

    @Test
    void jobImageIsBuiltFromTheFlinkImageOfTheFlinkVersion() {
        assertThat(project.flinkImage()).startsWith("flink:" + project.flinkVersion() + "-");
        assertThat(read("job/Dockerfile"))
                .contains("FROM ${FLINK_IMAGE}")
                .contains("/opt/flink/usrlib/streampulse-job.jar")
                .contains("streampulse-job-${JOB_VERSION}-flink.jar")
                .contains("metrics-prometheus");
    }

    @Test
    void chartVersionsAreThePomValues() throws IOException {
        JsonNode chart = Manifests.YAML.readTree(project.chart().resolve("Chart.yaml").toFile());

        assertThat(chart.path("version").asText()).isEqualTo(project.chartVersion());
        assertThat(chart.path("appVersion").asText()).isEqualTo(project.version());
        assertThat(chart.at("/annotations/streampulse.io~1flink-operator-version").asText())
                .isEqualTo(project.operatorVersion());
    }

    @Test
    void chartImageTagsDefaultToTheAppVersion() throws IOException {
        JsonNode values = Manifests.YAML.readTree(project.chart().resolve("values.yaml").toFile());
        assertThat(values.at("/job/image/tag").asText()).isEmpty();
        assertThat(values.at("/autoscaler/image/tag").asText()).isEmpty();

        String rendered = Charts.template(project, Map.of());

        assertThat(matches(OUR_IMAGE, rendered)).isNotEmpty().containsOnly(project.version());
    }

    @Test
    void everyVersionMentionedInShippedFilesIsThePomValue() {
        String flinkTag = project.flinkImage().substring("flink:".length());
        String jreTag = project.autoscalerBaseImage().substring("eclipse-temurin:".length());
        int mentions = 0;
        for (Path file : shippedTextFiles()) {
            String text = read(project.root().relativize(file).toString());
            String where = project.root().relativize(file).toString();
            mentions += assertAll(where, FLINK_IMAGE, text, flinkTag);
            mentions += assertAll(where, OPERATOR, text, project.operatorVersion());
            mentions += assertAll(where, OUR_IMAGE, text, project.version());
            mentions += assertAll(where, JRE_IMAGE, text, jreTag);
            mentions += assertAll(where, KAFKA_IMAGE, text, project.kafkaVersion());
            mentions += assertAll(where, FLINK_PLUGIN, text, project.flinkVersion());
        }
        // Not vacuous: the docs, Dockerfiles, manifests and operator README name them often.
        assertThat(mentions).isGreaterThan(20);
    }

    @Test
    void makefileReadsVersionsFromThePomInsteadOfRepeatingThem() {
        String makefile = read("Makefile");

        assertThat(makefile)
                .contains("-Dexpression=$(1)")
                .doesNotContain(project.flinkVersion())
                .doesNotContain(project.operatorVersion())
                .doesNotContain(project.autoscalerBaseImage());
    }

    private int assertAll(String where, Pattern pattern, String text, String expected) {
        List<String> found = matches(pattern, text);
        assertThat(found).as(where + " " + pattern).allMatch(expected::equals, "is " + expected);
        return found.size();
    }

    private static List<String> matches(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /**
     * The files a user reads or ships: Dockerfiles, chart, manifests, operator config, the README
     * and docs.
     */
    private static List<Path> shippedTextFiles() {
        List<Path> files = new ArrayList<>();
        for (String dockerfile :
                List.of("job/Dockerfile", "autoscaler/Dockerfile", "generator/Dockerfile")) {
            files.add(project.root().resolve(dockerfile));
        }
        files.add(project.root().resolve("README.md"));
        try (Stream<Path> docs = Files.walk(project.root().resolve("docs"))) {
            docs.filter(Files::isRegularFile).forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String dir : List.of("helm", "k8s", "operator-config")) {
            try (Stream<Path> walk = Files.walk(project.root().resolve(dir))) {
                walk.filter(Files::isRegularFile).forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    /** The default of {@code ARG name=default} in a Dockerfile. */
    private static String arg(String dockerfile, String name) {
        Matcher m = Pattern.compile("(?m)^ARG " + name + "=(\\S+)\\s*$").matcher(read(dockerfile));
        assertThat(m.find()).as(dockerfile + " ARG " + name).isTrue();
        return m.group(1);
    }

    private static String read(String relative) {
        try {
            return Files.readString(project.root().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
