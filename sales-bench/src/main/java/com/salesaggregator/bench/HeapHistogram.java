package com.salesaggregator.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * The live objects on this JVM's heap by class, as {@code jcmd <pid> GC.class_histogram} prints
 * them (taken in-process through the same diagnostic command; it runs a full collection first, so
 * only reachable objects count).
 *
 * @param classes instances and bytes per class name
 * @param totalBytes bytes of all live objects
 */
record HeapHistogram(Map<String, Entry> classes, long totalBytes) {

    /** Instances of one class and the bytes they take (shallow). */
    record Entry(long instances, long bytes) {}

    /** A class whose instances grew between two histograms. */
    record Growth(String className, long instances, long bytes) {}

    private static final Pattern ROW =
            Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)(?:\\s.*)?$");
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)\\s*$");

    /** Takes the histogram now (a full collection, then a walk of the heap). */
    static HeapHistogram take() throws Exception {
        String text =
                (String)
                        ManagementFactory.getPlatformMBeanServer()
                                .invoke(
                                        new ObjectName("com.sun.management:type=DiagnosticCommand"),
                                        "gcClassHistogram",
                                        new Object[] {new String[0]},
                                        new String[] {String[].class.getName()});
        return parse(text);
    }

    static HeapHistogram parse(String text) {
        Map<String, Entry> classes = new HashMap<>();
        long total = -1;
        for (String line : text.split("\n")) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                classes.merge(
                        row.group(3),
                        new Entry(Long.parseLong(row.group(1)), Long.parseLong(row.group(2))),
                        (a, b) -> new Entry(a.instances() + b.instances(), a.bytes() + b.bytes()));
                continue;
            }
            Matcher sum = TOTAL.matcher(line.strip());
            if (sum.matches()) {
                total = Long.parseLong(sum.group(2));
            }
        }
        if (total < 0) {
            throw new IllegalStateException("no total in the class histogram: " + text);
        }
        return new HeapHistogram(Map.copyOf(classes), total);
    }

    /** Instances of {@code className} (0 if none). */
    long instances(String className) {
        Entry e = classes.get(className);
        return e == null ? 0 : e.instances();
    }

    /** How each class grew since {@code before}, by class name. */
    Map<String, Growth> growthSince(HeapHistogram before) {
        Map<String, Growth> growth = new HashMap<>();
        classes.forEach(
                (name, now) -> {
                    Entry then = before.classes().getOrDefault(name, new Entry(0, 0));
                    growth.put(
                            name,
                            new Growth(
                                    name,
                                    now.instances() - then.instances(),
                                    now.bytes() - then.bytes()));
                });
        return Map.copyOf(growth);
    }

    /** The {@code n} largest of {@code growth} by bytes, largest first. */
    static List<Growth> largest(Map<String, Growth> growth, int n) {
        List<Growth> sorted = new ArrayList<>(growth.values());
        sorted.sort(Comparator.comparingLong(Growth::bytes).reversed());
        return List.copyOf(sorted.subList(0, Math.min(n, sorted.size())));
    }
}
