package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.streampulse.generator.GeneratorMain;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The generator Job that `make e2e` runs passes arguments the generator's own command line accepts,
 * and produces the bounded, seeded run the docs describe.
 */
class GeneratorJobTest {

    @Test
    void jobArgumentsParseWithTheGeneratorsCommandLine() throws Exception {
        JsonNode job =
                Manifests.single(
                        Manifests.parse(
                                Project.fromBuild().k8s().resolve("dev/generator-job.yaml")),
                        "Job");
        JsonNode container = job.at("/spec/template/spec/containers/0");
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));

        ParseResult parsed = commandLine().parseArgs(args.toArray(String[]::new));

        assertThat(parsed.unmatched()).isEmpty();
        assertThat(parsed.<Long>matchedOptionValue("--count", 0L)).isEqualTo(20_000L);
        assertThat(parsed.<Double>matchedOptionValue("--rate", 0.0)).isEqualTo(500.0);
        assertThat(parsed.<Long>matchedOptionValue("--seed", null)).isEqualTo(42L);
        assertThat(parsed.<Boolean>matchedOptionValue("--create-topic", false)).isTrue();
        assertThat(parsed.<Integer>matchedOptionValue("--partitions", 0)).isEqualTo(4);
        assertThat(job.at("/spec/template/spec/restartPolicy").asText()).isEqualTo("Never");
        assertThat(container.path("image").asText())
                .isEqualTo("streampulse-generator:" + Project.fromBuild().version());
    }

    /** The generator's picocli command; its constructor is package-private (tests inject env). */
    private static CommandLine commandLine() throws ReflectiveOperationException {
        Constructor<GeneratorMain> constructor =
                GeneratorMain.class.getDeclaredConstructor(Map.class, PrintStream.class);
        constructor.setAccessible(true);
        return new CommandLine(constructor.newInstance(Map.of(), System.out));
    }
}
