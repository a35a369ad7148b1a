package com.salesaggregator.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** Key-by-key comparison of expected and published figures, as readable lines. */
public final class FigureDifferences {

    private FigureDifferences() {}

    /**
     * Empty when {@code expected} and {@code actual} are equal; otherwise a heading line with the
     * number of keys that differ, then the first {@code limit} of them in key order (a figure that
     * differs, is missing or is extra).
     */
    public static <T> List<String> report(
            String output, Map<String, T> expected, Map<String, T> actual, int limit) {
        Set<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        List<String> differences = new ArrayList<>();
        for (String key : keys) {
            T want = expected.get(key);
            T got = actual.get(key);
            if (!Objects.equals(want, got)) {
                differences.add("  " + key + ":\n    expected " + want + "\n    but was  " + got);
            }
        }
        if (differences.isEmpty()) {
            return List.of();
        }
        List<String> report = new ArrayList<>();
        report.add(output + ": " + differences.size() + " of " + keys.size() + " keys differ");
        report.addAll(differences.subList(0, Math.min(limit, differences.size())));
        return report;
    }
}
