package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Makefile's targets, as `make -n` prints them with every setting overridden: each kubectl and
 * helm call names the kind cluster's context, each namespace is the one asked for (never the
 * default streampulse), and the image tag reaches every image, the generator Job's included
 * (through the kustomize overlay the Makefile writes).
 */
class MakefileTest {

    private static final String CLUSTER = "sp-test";
    private static final String NAMESPACE = "sp-other";
    private static final String TAG = "9.9.9-test";
    private static final List<String> OVERRIDES =
            List.of(
                    "KIND_CLUSTER=" + CLUSTER,
                    "K8S_NAMESPACE=" + NAMESPACE,
                    "IMAGE_TAG=" + TAG,
                    // Set, so make -n does not ask Maven for them.
                    "PROJECT_VERSION=0.0.1",
                    "FLINK_IMAGE=flink:test",
                    "JRE_IMAGE=jre:test",
                    "FLINK_OPERATOR_VERSION=1.10.0");

    /** A documented target: "name: prerequisites ## help". */
    private static final Pattern TARGET = Pattern.compile("(?m)^([a-zA-Z0-9_-]+):[^\n]*##");

    /** kubectl or helm as a command word (not "helm/streampulse"). */
    private static final Pattern CALL = Pattern.compile("(?:^|[\\s|;(&])(kubectl|helm)(?=\\s)");

    private static final Pattern NAMESPACE_FLAG =
            Pattern.compile("(?:\\s-n|--namespace|create namespace)[ =](\\S+)");

    private static Project project;
    private static List<String> commands;

    @BeforeAll
    static void dryRun() throws Exception {
        project = Project.fromBuild();
        // Every documented target, so a new one that calls kubectl or helm is checked too.
        List<String> args = new ArrayList<>(List.of("make", "--no-print-directory", "-n"));
        Matcher targets = TARGET.matcher(Files.readString(project.root().resolve("Makefile")));
        while (targets.find()) {
            args.add(targets.group(1));
        }
        assertThat(args).contains("operator-install", "deploy", "e2e", "undeploy");
        args.addAll(OVERRIDES);
        commands = logicalLines(make(args));
    }

    @Test
    void everyKubectlAndHelmCallNamesTheKindContext() {
        int calls = 0;
        for (String command : commands) {
            Matcher m = CALL.matcher(command);
            while (m.find()) {
                calls++;
                String flag = m.group(1).equals("helm") ? "--kube-context" : "--context";
                assertThat(command.substring(m.end(1)))
                        .as(command)
                        .startsWith(" " + flag + " kind-" + CLUSTER + " ");
            }
        }
        // Not vacuous: the targets make dozens of calls.
        assertThat(calls).isGreaterThan(30);
    }

    @Test
    void everyNamespaceIsTheOneAskedForOrTheOperatorsOwn() {
        Set<String> allowed = Set.of(NAMESPACE, "flink-operator", "cert-manager");
        List<String> namespaces = new ArrayList<>();
        for (String command : commands) {
            Matcher m = NAMESPACE_FLAG.matcher(command);
            while (m.find()) {
                namespaces.add(m.group(1));
            }
        }
        assertThat(namespaces).hasSizeGreaterThan(20).allMatch(allowed::contains);
        assertThat(commands)
                .as("the operator watches the namespace")
                .anyMatch(c -> c.contains("--set 'watchNamespaces={" + NAMESPACE + "}'"));
        assertThat(String.join("\n", commands))
                .doesNotContain("k8s/namespace.yaml")
                .doesNotContain("apply -k k8s/dev");
    }

    @Test
    void certManagerIsAwaitedByTheAvailabilityOfAllItsDeployments() {
        assertThat(commands)
                .contains(
                        "kubectl --context kind-"
                                + CLUSTER
                                + " wait --for=condition=Available deployment --all -n"
                                + " cert-manager --timeout=300s");
    }

    @Test
    void theImageTagReachesEveryImage() {
        List<String> images = new ArrayList<>();
        Matcher m =
                Pattern.compile("(?:-t |docker-image \\$image:|image\\.tag=)(\\S+)")
                        .matcher(String.join("\n", commands));
        while (m.find()) {
            images.add(m.group(1));
        }
        assertThat(images)
                .contains(
                        "streampulse-job:" + TAG,
                        "streampulse-autoscaler:" + TAG,
                        "streampulse-generator:" + TAG)
                .hasSizeGreaterThanOrEqualTo(6)
                .allMatch(image -> image.equals(TAG) || image.endsWith(":" + TAG));
    }

    /** The overlays `make k8s-overlays` writes: k8s/dev/ in the namespace, with the tag. */
    @Test
    void theDevOverlaysPutK8sDevInTheNamespaceWithTheTag() throws Exception {
        List<String> args = new ArrayList<>(List.of("make", "--no-print-directory", "-s"));
        args.add("k8s-overlays");
        args.addAll(OVERRIDES);
        make(args);
        Path overlays = project.root().resolve("target/k8s-overlays");

        ObjectNode dev = Manifests.parse(overlays.resolve("dev/kustomization.yaml")).get(0);
        ObjectNode generator =
                Manifests.parse(overlays.resolve("generator/kustomization.yaml")).get(0);

        assertThat(dev.path("namespace").asText()).isEqualTo(NAMESPACE);
        assertThat(overlays.resolve("dev").resolve(dev.at("/resources/0").asText()).normalize())
                .isEqualTo(project.k8s().resolve("dev"));
        assertThat(generator.path("namespace").asText()).isEqualTo(NAMESPACE);
        assertThat(
                        overlays.resolve("generator")
                                .resolve(generator.at("/resources/0").asText())
                                .normalize())
                .isEqualTo(project.k8s().resolve("dev/generator-job.yaml"));
        JsonNode image = generator.at("/images/0");
        assertThat(image.path("name").asText()).isEqualTo("streampulse-generator");
        assertThat(image.path("newTag").asText()).isEqualTo(TAG);
        // The image name the overlay retags is the one the Job runs.
        assertThat(
                        Manifests.single(
                                        Manifests.parse(
                                                project.k8s().resolve("dev/generator-job.yaml")),
                                        "Job")
                                .at("/spec/template/spec/containers/0/image")
                                .asText())
                .startsWith("streampulse-generator:");
    }

    /** Where kubectl is installed, its kustomize renders the overlays as the targets apply them. */
    @Test
    void kubectlRendersTheOverlaysInTheNamespace() throws Exception {
        Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not installed");
        theDevOverlaysPutK8sDevInTheNamespaceWithTheTag();
        for (String overlay : List.of("dev", "generator")) {
            String rendered =
                    run(
                            List.of(
                                    "kubectl",
                                    "kustomize",
                                    "--load-restrictor",
                                    "LoadRestrictionsNone",
                                    "target/k8s-overlays/" + overlay));
            List<ObjectNode> documents = Manifests.parse(rendered);
            assertThat(documents).isNotEmpty();
            assertThat(documents)
                    .allSatisfy(
                            d ->
                                    assertThat(d.at("/metadata/namespace").asText())
                                            .isEqualTo(NAMESPACE));
            if (overlay.equals("generator")) {
                assertThat(
                                Manifests.single(documents, "Job")
                                        .at("/spec/template/spec/containers/0/image")
                                        .asText())
                        .isEqualTo("streampulse-generator:" + TAG);
            }
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static String make(List<String> args) throws IOException, InterruptedException {
        return run(args);
    }

    private static String run(List<String> args) throws IOException, InterruptedException {
        ProcessBuilder builder =
                new ProcessBuilder(args)
                        .directory(project.root().toFile())
                        .redirectErrorStream(true);
        // Not the flags of a `make test` this runs under (-s, -k, a jobserver).
        builder.environment().keySet().removeAll(List.of("MAKEFLAGS", "MFLAGS", "MAKELEVEL"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", args) + " failed:\n" + output);
        }
        return output;
    }

    /** Recipe lines with their backslash-newline continuations joined. */
    private static List<String> logicalLines(String output) {
        return List.of(output.replace("\\\n", " ").replaceAll(" +", " ").split("\n"));
    }
}
