package com.streampulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in Kubernetes kinds as strict JSON Schemas: the JSON schemas fabric8's kubernetes-model
 * jars ship ({@code schema/validation-schema.json}, generated from the Kubernetes Go types;
 * kubernetes-model 6.13.4 is the Kubernetes 1.30 API: ValidatingAdmissionPolicy v1, no 1.31 image
 * volumes), merged, with three changes that make them check what the API server checks: every
 * object with declared properties refuses others (the server drops unknown fields silently, so a
 * misspelt one would vanish), quantities and int-or-strings take their YAML forms, and the Java
 * generator's draft-3 {@code required: true} flags are dropped.
 */
final class KubernetesSchema {

    /** The stated version, for messages and docs. */
    static final String KUBERNETES_VERSION = "1.30";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ObjectNode definitions;
    private final Map<String, Schema> byKind = new HashMap<>();

    private KubernetesSchema(ObjectNode definitions) {
        this.definitions = definitions;
    }

    static KubernetesSchema load() {
        ObjectNode definitions = JSON.objectNode();
        try {
            for (URL url :
                    Collections.list(
                            KubernetesSchema.class
                                    .getClassLoader()
                                    .getResources("schema/validation-schema.json"))) {
                try (InputStream in = url.openStream()) {
                    JsonNode schema = MAPPER.readTree(in);
                    definitions.setAll((ObjectNode) schema.path("definitions"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (definitions.isEmpty()) {
            throw new IllegalStateException("No fabric8 kubernetes-model schemas on the classpath");
        }
        ObjectNode quantity = JSON.objectNode();
        quantity.set("type", JSON.arrayNode().add("string").add("number"));
        ObjectNode intOrString = JSON.objectNode();
        intOrString.set("type", JSON.arrayNode().add("string").add("integer"));
        for (String name : iterable(definitions.fieldNames())) {
            if (name.endsWith("_Quantity")) {
                definitions.set(name, quantity);
            } else if (name.endsWith("_IntOrString")) {
                definitions.set(name, intOrString);
            } else if (name.endsWith("_MicroTime")) {
                definitions.set(name, JSON.objectNode().put("type", "string"));
            } else {
                strict((ObjectNode) definitions.get(name));
            }
        }
        return new KubernetesSchema(definitions);
    }

    /** The definition for apiVersion/kind, if it is a built-in kind. */
    Optional<String> definitionOf(String apiVersion, String kind) {
        for (String name : iterable(definitions.fieldNames())) {
            JsonNode properties = definitions.get(name).path("properties");
            if (kind.equals(properties.at("/kind/default").asText())
                    && apiVersion.equals(properties.at("/apiVersion/default").asText())) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /** Every violation as "path: message"; a kind without a schema is one too. */
    List<String> validate(JsonNode document) {
        String apiVersion = document.path("apiVersion").asText();
        String kind = document.path("kind").asText();
        Optional<String> definition = definitionOf(apiVersion, kind);
        if (definition.isEmpty()) {
            return List.of(
                    "no Kubernetes "
                            + KUBERNETES_VERSION
                            + " schema for "
                            + apiVersion
                            + " "
                            + kind);
        }
        Schema schema =
                byKind.computeIfAbsent(
                        definition.get(),
                        name -> {
                            ObjectNode root = JSON.objectNode();
                            root.put("$schema", "http://json-schema.org/draft-04/schema#");
                            root.set("definitions", definitions);
                            root.put("$ref", "#/definitions/" + name);
                            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
                                    .getSchema(root);
                        });
        return schema.validate(document).stream()
                .map(e -> e.getInstanceLocation() + ": " + e.getMessage())
                .toList();
    }

    private static void strict(ObjectNode node) {
        if (node.path("required").isBoolean()) {
            node.remove("required");
        }
        if (node.has("properties") && !node.path("additionalProperties").isObject()) {
            node.put("additionalProperties", false);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            JsonNode child = it.next().getValue();
            if (child instanceof ObjectNode object) {
                strict(object);
            } else if (child instanceof ArrayNode array) {
                array.forEach(
                        item -> {
                            if (item instanceof ObjectNode object) {
                                strict(object);
                            }
                        });
            }
        }
    }

    private static <T> Iterable<T> iterable(Iterator<T> iterator) {
        List<T> list = new ArrayList<>();
        iterator.forEachRemaining(list::add);
        return list;
    }
}
