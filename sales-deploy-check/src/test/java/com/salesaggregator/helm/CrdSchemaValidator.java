package com.salesaggregator.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A small validator for the structural OpenAPI v3 schemas of CustomResourceDefinitions: type,
 * required, enum, properties, additionalProperties, items, anyOf and the x-kubernetes-* markers the
 * Flink operator's CRD uses. Enough to catch misspelled fields and wrong types offline.
 */
final class CrdSchemaValidator {

    private final JsonNode schema;

    private CrdSchemaValidator(JsonNode schema) {
        this.schema = schema;
    }

    /**
     * A validator for {@code openAPIV3Schema} that is closed: every object schema with {@code
     * properties} and neither {@code additionalProperties} nor {@code
     * x-kubernetes-preserve-unknown-fields} gets {@code additionalProperties: false}, as the API
     * server's pruning would silently drop unknown fields that a strict check must report.
     */
    static CrdSchemaValidator closed(JsonNode openApiV3Schema) {
        JsonNode copy = openApiV3Schema.deepCopy();
        close(copy);
        return new CrdSchemaValidator(copy);
    }

    /** The (mutable) schema, for explicit adjustments such as extending an enum. */
    JsonNode schema() {
        return schema;
    }

    /** Appends {@code value} to the enum of the schema at {@code path} (property names). */
    void extendEnum(String value, String... path) {
        JsonNode node = schema;
        for (String name : path) {
            node = node.path("properties").path(name);
        }
        if (!(node.get("enum") instanceof ArrayNode values)) {
            throw new IllegalArgumentException("no enum at " + String.join(".", path));
        }
        values.add(value);
    }

    /** The violations of {@code value}, each naming its path; empty when it conforms. */
    List<String> validate(JsonNode value) {
        List<String> errors = new ArrayList<>();
        validate(value, schema, "", errors);
        return errors;
    }

    private static void close(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("properties")
                    && !object.has("additionalProperties")
                    && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                object.put("additionalProperties", false);
            }
            for (JsonNode child : object) {
                close(child);
            }
        } else if (node instanceof ArrayNode array) {
            for (JsonNode child : array) {
                close(child);
            }
        }
    }

    private static void validate(
            JsonNode value, JsonNode schema, String path, List<String> errors) {
        if (value == null || value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                errors.add(path + ": null");
            }
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                errors.add(path + ": expected integer or string, was " + value.getNodeType());
            }
            return;
        }
        if (schema.has("anyOf")) {
            boolean any = false;
            for (JsonNode alternative : schema.get("anyOf")) {
                List<String> sub = new ArrayList<>();
                validate(value, alternative, path, sub);
                any |= sub.isEmpty();
            }
            if (!any) {
                errors.add(path + ": matches none of anyOf " + schema.get("anyOf"));
            }
        }
        String type = schema.path("type").asText("");
        if (!type.isEmpty() && !hasType(value, type)) {
            errors.add(path + ": expected " + type + ", was " + value.getNodeType());
            return;
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode allowed : schema.get("enum")) {
                listed |= allowed.equals(value);
            }
            if (!listed) {
                errors.add(path + ": " + value + " not in enum " + schema.get("enum"));
            }
        }
        if (value.isObject()) {
            for (JsonNode name : schema.path("required")) {
                if (!value.has(name.asText())) {
                    errors.add(path + ": missing required field " + name.asText());
                }
            }
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.get("additionalProperties");
            Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String fieldPath = path + "." + field.getKey();
                if (properties.has(field.getKey())) {
                    validate(field.getValue(), properties.get(field.getKey()), fieldPath, errors);
                } else if (additional != null
                        && additional.isBoolean()
                        && !additional.asBoolean()) {
                    errors.add(fieldPath + ": unknown field");
                } else if (additional != null && additional.isObject()) {
                    validate(field.getValue(), additional, fieldPath, errors);
                }
            }
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                validate(value.get(i), schema.get("items"), path + "[" + i + "]", errors);
            }
        }
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> throw new IllegalArgumentException("unsupported schema type " + type);
        };
    }
}
