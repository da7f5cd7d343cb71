package com.streampulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Multi-document YAML (helm template output, files in k8s/) as a list of JSON trees. */
final class Manifests {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** fabric8's (de)serializer: a document becomes its typed model class by apiVersion/kind. */
    static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

    private Manifests() {}

    /** Every non-empty document, in order. */
    static List<ObjectNode> parse(String yaml) {
        List<ObjectNode> documents = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(yaml)) {
            var values = YAML.readValues(parser, JsonNode.class);
            while (values.hasNext()) {
                JsonNode node = values.next();
                if (node instanceof ObjectNode object && !object.isEmpty()) {
                    documents.add(object);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }

    static List<ObjectNode> parse(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<ObjectNode> ofKind(List<ObjectNode> documents, String kind) {
        return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    static ObjectNode single(List<ObjectNode> documents, String kind) {
        List<ObjectNode> found = ofKind(documents, kind);
        if (found.size() != 1) {
            throw new AssertionError("Expected one " + kind + ", found " + found.size());
        }
        return found.get(0);
    }

    static String name(JsonNode document) {
        return document.path("metadata").path("name").asText();
    }

    /** The YAML manifests under {@code dir}, recursively, except Kustomize's own files. */
    static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every container of a workload (Deployment, StatefulSet, Job: spec.template.spec; a
     * FlinkDeployment: its pod templates).
     */
    static List<JsonNode> containers(JsonNode document) {
        List<JsonNode> containers = new ArrayList<>();
        JsonNode spec = document.path("spec");
        for (JsonNode podSpec :
                List.of(
                        spec.path("template").path("spec"),
                        spec.path("podTemplate").path("spec"),
                        spec.path("jobManager").path("podTemplate").path("spec"),
                        spec.path("taskManager").path("podTemplate").path("spec"))) {
            podSpec.path("initContainers").forEach(containers::add);
            podSpec.path("containers").forEach(containers::add);
        }
        return containers;
    }
}
