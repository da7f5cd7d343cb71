package com.streampulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A CustomResourceDefinition's openAPIV3Schema as a strict JSON Schema, to check manifests the way
 * the API server would.
 *
 * <p>Two translations make the check as strict as the server: a structural schema prunes unknown
 * fields silently (a misspelt {@code upgradMode} would vanish and the job would run with the
 * default), so every object with declared properties and no {@code additionalProperties} or {@code
 * x-kubernetes-preserve-unknown-fields} gets {@code additionalProperties: false}; and {@code
 * nullable: true} becomes a "null" type. The root gains apiVersion, kind and metadata, which the
 * server validates itself.
 */
final class CrdSchema {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Keywords whose values are data, not schemas. */
    private static final Set<String> DATA_KEYWORDS =
            Set.of("enum", "required", "default", "example");

    private final Schema schema;

    private CrdSchema(Schema schema) {
        this.schema = schema;
    }

    /** The schema of {@code version} in a CRD file on the classpath (e.g. inside a jar). */
    static CrdSchema fromClasspath(String resource, String version) {
        try (InputStream in = CrdSchema.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Not on the classpath: " + resource);
            }
            JsonNode crd = Manifests.YAML.readTree(in);
            for (JsonNode v : crd.path("spec").path("versions")) {
                if (version.equals(v.path("name").asText())) {
                    ObjectNode openApi =
                            (ObjectNode) v.path("schema").path("openAPIV3Schema").deepCopy();
                    return new CrdSchema(compile(openApi));
                }
            }
            throw new IllegalStateException("No version " + version + " in " + resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every violation, as "path: message"; empty when the document is valid. */
    List<String> validate(JsonNode document) {
        return schema.validate(document).stream().map(CrdSchema::describe).toList();
    }

    private static String describe(Error error) {
        return error.getInstanceLocation() + ": " + error.getMessage();
    }

    private static Schema compile(ObjectNode openApi) {
        strict(openApi);
        ObjectNode properties = (ObjectNode) openApi.get("properties");
        properties.set("apiVersion", JSON.objectNode().put("type", "string"));
        properties.set("kind", JSON.objectNode().put("type", "string"));
        properties.putIfAbsent("metadata", JSON.objectNode().put("type", "object"));
        openApi.put("$schema", "http://json-schema.org/draft-04/schema#");
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(openApi);
    }

    /** Walks the schema tree and applies the two translations described above. */
    private static void strict(ObjectNode node) {
        if (node.path("nullable").asBoolean(false) && node.has("type")) {
            ArrayNode types = JSON.arrayNode().add(node.get("type").asText()).add("null");
            node.set("type", types);
        }
        node.remove("nullable");
        boolean preserveUnknown = node.path("x-kubernetes-preserve-unknown-fields").asBoolean();
        if (node.has("properties") && !node.has("additionalProperties") && !preserveUnknown) {
            node.put("additionalProperties", false);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode child = field.getValue();
            if (field.getKey().equals("properties") && child instanceof ObjectNode props) {
                props.forEach(p -> strictIfObject(p));
            } else if (!DATA_KEYWORDS.contains(field.getKey())) {
                strictIfObject(child);
                if (child instanceof ArrayNode array) {
                    array.forEach(CrdSchema::strictIfObject);
                }
            }
        }
    }

    private static void strictIfObject(JsonNode node) {
        if (node instanceof ObjectNode object) {
            strict(object);
        }
    }
}
