package com.salesaggregator.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Rendered Kubernetes manifests: a multi-document YAML stream parsed into JSON trees. */
final class Manifests {

    /** Reads YAML and converts between trees and fabric8 model classes. */
    static final ObjectMapper YAML = new YAMLMapper();

    /** Converts trees to models; fabric8 classes carry their own Jackson annotations. */
    static final ObjectMapper JSON = JsonMapper.builder().build();

    private Manifests() {}

    /** Every non-empty document of {@code yaml}, in order. */
    static List<JsonNode> parse(String yaml) {
        List<JsonNode> documents = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode document = it.next();
                if (document != null && !document.isNull() && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }

    /** The only document of {@code kind} named {@code name}. */
    static JsonNode find(List<JsonNode> documents, String kind) {
        List<JsonNode> matches =
                documents.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
        if (matches.size() != 1) {
            throw new AssertionError("expected one " + kind + ", found " + matches.size());
        }
        return matches.get(0);
    }

    /**
     * The only document of {@code kind} labelled {@code app.kubernetes.io/component: component}.
     */
    static JsonNode find(List<JsonNode> documents, String kind, String component) {
        List<JsonNode> matches =
                documents.stream()
                        .filter(d -> d.path("kind").asText().equals(kind))
                        .filter(
                                d ->
                                        d.at("/metadata/labels/app.kubernetes.io~1component")
                                                .asText()
                                                .equals(component))
                        .toList();
        if (matches.size() != 1) {
            throw new AssertionError(
                    "expected one " + kind + " of " + component + ", found " + matches.size());
        }
        return matches.get(0);
    }

    /** {@code tree} as an instance of the model {@code type}. */
    static <T> T as(JsonNode tree, Class<T> type) {
        try {
            return JSON.treeToValue(tree, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
