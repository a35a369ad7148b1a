package com.salesaggregator.topics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the Strimzi {@code KafkaTopic} documents of {@code k8s/topics/topics.yaml} into {@link
 * TopicDefinition}s, so the local platform creates exactly the topics Kubernetes gets.
 */
public final class TopicDefinitions {

    /** The classpath location the build copies {@code k8s/topics/topics.yaml} to. */
    public static final String RESOURCE = "k8s/topics/topics.yaml";

    static final String API_VERSION = "kafka.strimzi.io/v1";
    static final String KIND = "KafkaTopic";

    private static final YAMLMapper YAML = new YAMLMapper();

    private TopicDefinitions() {}

    /** The topics declared in the classpath resource {@value #RESOURCE}, in file order. */
    public static List<TopicDefinition> load() {
        try (InputStream in =
                TopicDefinitions.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "classpath resource "
                                + RESOURCE
                                + " not found; the build copies it from k8s/topics/");
            }
            return load(in, RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read classpath resource " + RESOURCE, e);
        }
    }

    /**
     * The declared output topics ({@link Topic#isOutput()}) with {@code suffix} appended to their
     * names and their settings unchanged: the topics a backfill writes to.
     */
    public static List<TopicDefinition> outputsWithSuffix(
            List<TopicDefinition> declared, String prefix, String suffix) {
        List<TopicDefinition> outputs = new ArrayList<>();
        for (TopicDefinition d : declared) {
            if (Topic.byName(d.name()).map(Topic::isOutput).orElse(false)) {
                outputs.add(
                        new TopicDefinition(
                                prefix + d.name() + suffix,
                                d.partitions(),
                                d.replicas(),
                                d.config()));
            }
        }
        return List.copyOf(outputs);
    }

    /** The topics declared in a multi-document KafkaTopic YAML stream, in document order. */
    public static List<TopicDefinition> load(InputStream in) {
        return load(in, "topic definitions");
    }

    /**
     * The topics declared in a multi-document KafkaTopic YAML stream, naming {@code source} in
     * errors.
     */
    public static List<TopicDefinition> load(InputStream in, String source) {
        List<TopicDefinition> definitions = new ArrayList<>();
        Set<String> names = new HashSet<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(in)) {
            int index = 0;
            while (documents.hasNextValue()) {
                JsonNode document = documents.nextValue();
                index++;
                // A stray "---" (e.g. at the end of the file) yields an empty document.
                if (document == null || document.isNull() || document.isMissingNode()) {
                    continue;
                }
                TopicDefinition definition = parse(document, source + ", document " + index);
                if (!names.add(definition.name())) {
                    throw new IllegalArgumentException(
                            source
                                    + ", document "
                                    + index
                                    + ": topic "
                                    + definition.name()
                                    + " is declared twice");
                }
                definitions.add(definition);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + source + ": " + e.getMessage(), e);
        }
        return List.copyOf(definitions);
    }

    private static TopicDefinition parse(JsonNode document, String where) {
        if (!document.isObject()) {
            throw malformed(
                    where, "expected a KafkaTopic mapping, found " + document.getNodeType());
        }
        expectText(document, "apiVersion", API_VERSION, where);
        expectText(document, "kind", KIND, where);
        String name = document.path("metadata").path("name").asText("");
        if (name.isBlank()) {
            throw malformed(where, "metadata.name is missing");
        }
        String named = where + " (" + name + ")";
        JsonNode spec = document.path("spec");
        if (!spec.isObject()) {
            throw malformed(named, "spec is missing");
        }
        // Strimzi lets spec.topicName override metadata.name for names Kubernetes rejects.
        String topicName = spec.path("topicName").asText(name);
        return new TopicDefinition(
                topicName,
                positiveInt(spec, "partitions", named),
                positiveInt(spec, "replicas", named),
                config(spec.path("config"), named));
    }

    private static void expectText(JsonNode document, String field, String expected, String where) {
        String actual = document.path(field).asText(null);
        if (!expected.equals(actual)) {
            throw malformed(where, field + " must be " + expected + ", was " + actual);
        }
    }

    private static int positiveInt(JsonNode spec, String field, String where) {
        JsonNode value = spec.path(field);
        if (!value.isInt() || value.intValue() < 1) {
            throw malformed(
                    where, "spec." + field + " must be a positive integer, was " + describe(value));
        }
        return value.intValue();
    }

    private static Map<String, String> config(JsonNode config, String where) {
        if (config.isMissingNode() || config.isNull()) {
            return Map.of();
        }
        if (!config.isObject()) {
            throw malformed(where, "spec.config must be a mapping, was " + describe(config));
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : config.properties()) {
            JsonNode value = entry.getValue();
            // Kafka configs are strings; YAML turns 604800000 into a number and true into a
            // boolean, which both mean the same to Strimzi.
            if (!value.isValueNode() || value.isNull()) {
                throw malformed(
                        where,
                        "spec.config."
                                + entry.getKey()
                                + " must be a scalar, was "
                                + describe(value));
            }
            values.put(entry.getKey(), value.asText());
        }
        return values;
    }

    private static String describe(JsonNode value) {
        return value.isMissingNode() ? "missing" : value.toString();
    }

    private static IllegalArgumentException malformed(String where, String problem) {
        return new IllegalArgumentException("malformed KafkaTopic in " + where + ": " + problem);
    }
}
