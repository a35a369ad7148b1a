package com.salesaggregator.k8s;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.kubernetes.operator.api.FlinkStateSnapshot;

/**
 * Parses Kubernetes manifests into typed models (Strimzi's for {@code kafka.strimzi.io/v1},
 * fabric8's for core resources) and reports what those lenient models would silently accept:
 * unknown fields kept in {@code additionalProperties} and values lost on the way in (an unknown
 * enum value becomes null).
 */
public final class K8sStrictModel {

    /** The typed model of each {@code apiVersion/kind} the manifests may contain. */
    static final Map<String, Class<?>> MODELS =
            Map.of(
                    "kafka.strimzi.io/v1/Kafka", Kafka.class,
                    "kafka.strimzi.io/v1/KafkaNodePool", KafkaNodePool.class,
                    "kafka.strimzi.io/v1/KafkaUser", KafkaUser.class,
                    "kafka.strimzi.io/v1/KafkaTopic", KafkaTopic.class,
                    "v1/Namespace", Namespace.class,
                    "v1/PersistentVolume", PersistentVolume.class,
                    "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
                    "v1/Pod", Pod.class,
                    "flink.apache.org/v1beta1/FlinkStateSnapshot", FlinkStateSnapshot.class);

    private static final YAMLMapper YAML = new YAMLMapper();

    /**
     * Writes the typed model back with every property, defaults and nulls included: the models' own
     * {@code @JsonInclude} would leave out a default (patternType: literal) or a null.
     */
    private static final ObjectMapper JSON =
            new ObjectMapper()
                    .setAnnotationIntrospector(
                            new JacksonAnnotationIntrospector() {
                                @Override
                                public JsonInclude.Value findPropertyInclusion(Annotated a) {
                                    return JsonInclude.Value.empty();
                                }
                            });

    /** One YAML document of a file: where it came from, its raw tree and its typed model. */
    public record Document(String source, JsonNode tree, Object typed, List<String> problems) {

        public String kind() {
            return tree.path("kind").asText();
        }

        public String name() {
            return tree.path("metadata").path("name").asText();
        }

        public <T> T as(Class<T> type) {
            return type.cast(typed);
        }
    }

    private K8sStrictModel() {}

    /** Every non-empty document of a YAML file, each parsed and checked. */
    public static List<Document> read(Path file, String source) {
        try {
            return parse(Files.readString(file), source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every non-empty document of a YAML text, each parsed and checked. */
    public static List<Document> parse(String yaml, String source) {
        List<Document> documents = new ArrayList<>();
        try (var parser = YAML.createParser(yaml)) {
            Iterator<JsonNode> trees = YAML.readValues(parser, JsonNode.class);
            int index = 0;
            while (trees.hasNext()) {
                JsonNode tree = trees.next();
                index++;
                if (tree == null || tree.isNull() || tree.isMissingNode() || tree.isEmpty()) {
                    continue;
                }
                documents.add(document(tree, source + ", document " + index));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": not YAML", e);
        }
        return documents;
    }

    private static Document document(JsonNode tree, String source) {
        String type = tree.path("apiVersion").asText() + "/" + tree.path("kind").asText();
        String where =
                source + " (" + type + " " + tree.path("metadata").path("name").asText() + ")";
        Class<?> model = MODELS.get(type);
        if (model == null) {
            return new Document(where, tree, null, List.of(where + ": no typed model for " + type));
        }
        Object typed;
        try {
            typed = YAML.treeToValue(tree, model);
        } catch (IOException e) {
            return new Document(where, tree, null, List.of(where + ": " + e.getMessage()));
        }
        List<String> problems = new ArrayList<>();
        unknownFields(typed, where, problems, Collections.newSetFromMap(new IdentityHashMap<>()));
        lostValues(tree, JSON.valueToTree(typed), where, problems);
        return new Document(where, tree, typed, List.copyOf(problems));
    }

    /** Walks the typed tree for non-empty {@code additionalProperties}, anywhere. */
    private static void unknownFields(
            Object node, String path, List<String> problems, Set<Object> seen) {
        if (node == null || !seen.add(node)) {
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems, seen));
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        Class<?> type = node.getClass();
        String name = type.getName();
        if (type.isEnum()
                || !(name.startsWith("io.strimzi.api.") || name.startsWith("io.fabric8."))) {
            return;
        }
        for (Method getter : type.getMethods()) {
            if (getter.getParameterCount() != 0
                    || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class
                    || !(getter.getName().startsWith("get") || getter.getName().startsWith("is"))) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue; // derived values (e.g. a Quantity's numerical amount) may refuse
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet());
                }
            } else {
                unknownFields(value, path + "." + property(getter.getName()), problems, seen);
            }
        }
    }

    private static String property(String getter) {
        String bare = getter.startsWith("is") ? getter.substring(2) : getter.substring(3);
        return bare.isEmpty() ? bare : Character.toLowerCase(bare.charAt(0)) + bare.substring(1);
    }

    /**
     * Every value written in the YAML must come back when the typed model is written out again:
     * whatever the model dropped or turned into null (unknown enum values) was not understood.
     */
    private static void lostValues(
            JsonNode written, JsonNode understood, String path, List<String> problems) {
        if (written.isObject()) {
            if (!(understood instanceof ObjectNode)) {
                problems.add(path + ": " + written + " not understood (got " + understood + ")");
                return;
            }
            written.fieldNames()
                    .forEachRemaining(
                            field ->
                                    lostValues(
                                            written.get(field),
                                            understood.path(field),
                                            path + "." + field,
                                            problems));
        } else if (written.isArray()) {
            if (!understood.isArray() || understood.size() != written.size()) {
                problems.add(path + ": " + written + " not understood (got " + understood + ")");
                return;
            }
            for (int i = 0; i < written.size(); i++) {
                lostValues(written.get(i), understood.get(i), path + "[" + i + "]", problems);
            }
        } else if (!written.isNull()
                && (understood.isMissingNode()
                        || understood.isNull()
                        || !written.asText().equals(understood.asText()))) {
            problems.add(path + ": " + written + " not understood (got " + understood + ")");
        }
    }
}
