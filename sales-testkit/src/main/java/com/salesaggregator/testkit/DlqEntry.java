package com.salesaggregator.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.output.OutputCodec;
import com.salesaggregator.verify.ReferenceModel.DeadLetter;
import java.util.Arrays;
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

    /** Reads a {@code sales-dlq} record with the output's codec (schema in docs/schemas.md). */
    public static DlqEntry of(String key, JsonNode value) {
        com.salesaggregator.output.DeadLetter letter = OutputCodec.DEAD_LETTERS.read(key, value);
        return new DlqEntry(
                new DeadLetter(
                        letter.sourceTopic(),
                        letter.partition(),
                        letter.offset(),
                        letter.lineId(),
                        letter.reason().name()),
                key,
                letter.key(),
                letter.value(),
                letter.valueBytes(),
                letter.message());
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
