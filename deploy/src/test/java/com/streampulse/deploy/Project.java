package com.streampulse.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository and the versions the parent POM holds, as surefire hands them to the tests
 * (systemPropertyVariables in deploy/pom.xml), so every check compares against the one place
 * versions live.
 */
record Project(
        Path root,
        String version,
        String flinkVersion,
        String flinkImage,
        String operatorVersion,
        String autoscalerBaseImage,
        String chartVersion,
        String kafkaVersion) {

    static Project fromBuild() {
        Path root = Path.of(property("streampulse.repo.root")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("pom.xml"))) {
            throw new IllegalStateException("Not the repository root: " + root);
        }
        return new Project(
                root,
                property("streampulse.project.version"),
                property("streampulse.flink.version"),
                property("streampulse.flink.image"),
                property("streampulse.flink.operator.version"),
                property("streampulse.autoscaler.base.image"),
                property("streampulse.helm.chart.version"),
                property("streampulse.kafka.version"));
    }

    Path chart() {
        return root.resolve("helm/streampulse");
    }

    Path k8s() {
        return root.resolve("k8s");
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank() || value.contains("${")) {
            throw new IllegalStateException(
                    "System property " + name + " is not set: run the tests through Maven");
        }
        return value;
    }
}
