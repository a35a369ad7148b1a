package com.salesaggregator.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.output.OutputCodec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The rules of provisional and final window figures (PRODUCT.md, "Semantics"), checked on every
 * value a windowed output published, key by key in the order published: once a window has closed,
 * the last value under its key is final, and no provisional value exceeds that final one in any
 * count or amount (any number in the value).
 */
public final class FinalFigures {

    private final OutputCodec<?> format;
    private final Map<String, List<JsonNode>> valuesByKey = new LinkedHashMap<>();

    /** For the values of the windowed output {@code format}. */
    public FinalFigures(OutputCodec<?> format) {
        if (!format.windowed()) {
            throw new IllegalArgumentException(format.topic() + " is not a windowed output");
        }
        this.format = format;
    }

    /** Takes the next value published under {@code key} (a key's values in publication order). */
    public FinalFigures add(String key, JsonNode value) {
        valuesByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        return this;
    }

    /** How many of the values taken were provisional. */
    public long provisionalValues() {
        return valuesByKey.values().stream()
                .flatMap(List::stream)
                .filter(v -> !format.isFinal(v))
                .count();
    }

    /**
     * Empty when the rules hold for every window that {@code closed} says has closed (judged on its
     * last value); otherwise a heading line with the number of keys that break them, then the first
     * {@code limit} of them.
     */
    public List<String> problems(Predicate<JsonNode> closed, int limit) {
        List<String> problems = new ArrayList<>();
        valuesByKey.forEach(
                (key, values) -> {
                    JsonNode last = values.getLast();
                    if (!closed.test(last)) {
                        return;
                    }
                    if (!format.isFinal(last)) {
                        problems.add("  " + key + ": the last value is provisional: " + last);
                        return;
                    }
                    for (JsonNode value : values) {
                        String above = exceeded(value, last);
                        if (!format.isFinal(value) && above != null) {
                            problems.add(
                                    "  "
                                            + key
                                            + ": provisional "
                                            + above
                                            + " exceeds the final one\n    provisional "
                                            + value
                                            + "\n    final       "
                                            + last);
                            return;
                        }
                    }
                });
        if (problems.isEmpty()) {
            return List.of();
        }
        List<String> report = new ArrayList<>();
        report.add(
                format.topic()
                        + " (provisional and final): "
                        + problems.size()
                        + " of "
                        + valuesByKey.size()
                        + " keys break the rules");
        report.addAll(problems.subList(0, Math.min(limit, problems.size())));
        return report;
    }

    /** The first numeric field of {@code value} above the same field of {@code bound}, or null. */
    private static String exceeded(JsonNode value, JsonNode bound) {
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode limit = bound.path(field.getKey());
            if (field.getValue().isNumber()
                    && limit.isNumber()
                    && field.getValue().decimalValue().compareTo(limit.decimalValue()) > 0) {
                return field.getKey();
            }
        }
        return null;
    }
}
