package com.salesaggregator.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.verify.ReferenceModel.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A published {@code sales-dlq} entry: what identifies it, plus the source record it carries
 * ({@code truncatedValueBytes}: the full size of a value cut short in the entry, else null).
 */
public record DlqEntry(
        DeadLetter id,
        String key,
        byte[] sourceKey,
        byte[] sourceValue,
        Integer truncatedValueBytes,
        String message) {

    /** Parses a {@code sales-dlq} record (schema in docs/schemas.md). */
    public static DlqEntry of(String key, JsonNode value) {
        return new DlqEntry(
                new DeadLetter(
                        value.path("source_topic").asText(),
                        value.path("partition").asInt(),
                        value.path("offset").asLong(),
                        value.hasNonNull("line_id") ? value.path("line_id").asText() : null,
                        value.path("reason").asText()),
                key,
                bytes(value, "key"),
                bytes(value, "value"),
                value.path("value_truncated").asBoolean()
                        ? Integer.valueOf(value.path("value_bytes").asInt())
                        : null,
                value.path("message").asText());
    }

    private static byte[] bytes(JsonNode value, String field) {
        if (!value.hasNonNull(field)) {
            return null;
        }
        String text = value.path(field).asText();
        return "base64".equals(value.path(field + "_encoding").asText())
                ? Base64.getDecoder().decode(text)
                : text.getBytes(StandardCharsets.UTF_8);
    }

    public DlqEntry withoutTopicPrefix(String prefix) {
        DeadLetter unprefixed =
                new DeadLetter(
                        id.sourceTopic().substring(prefix.length()),
                        id.partition(),
                        id.offset(),
                        id.lineId(),
                        id.reason());
        return new DlqEntry(
                unprefixed,
                key.substring(prefix.length()),
                sourceKey,
                sourceValue,
                truncatedValueBytes,
                message);
    }

    @Override
    public boolean equals(Object o) {
        // Byte arrays by content, so that runs can be compared.
        return o instanceof DlqEntry other
                && id.equals(other.id)
                && key.equals(other.key)
                && Arrays.equals(sourceKey, other.sourceKey)
                && Arrays.equals(sourceValue, other.sourceValue)
                && Objects.equals(truncatedValueBytes, other.truncatedValueBytes)
                && message.equals(other.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, key, message);
    }

    @Override
    public String toString() {
        return key + " " + id.reason() + " (" + message + ")";
    }
}
