package com.salesaggregator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.verify.OutputFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * How soon results became visible, computed from what a latency run recorded: the sale lines the
 * broker acknowledged (with when) and the results a {@code read_committed} reader saw (with when).
 *
 * <ul>
 *   <li><b>First visible, per sale</b> (windowed outputs and running totals): for every counted
 *       sale line acknowledged in the measured period, the first result of its key (and window)
 *       whose {@code units} reach the key's cumulative units up to that line, in acknowledgement
 *       order, minus the line's acknowledgement. A provisional figure where the output publishes
 *       them (the open window's figure), otherwise the first figure that includes the line.
 *       Approximate where the job reads the partitions in another order than the broker
 *       acknowledged them.
 *   <li><b>Running totals, per figure</b> (the measure of earlier reports): every total seen in the
 *       measured period minus the acknowledgement of the line at which the key's cumulative units
 *       reach it (the newest line it includes).
 *   <li><b>Final, per window</b>: the first result with {@code "final": true} of each key and
 *       window ending in the measured period, minus the window end. An output without the field
 *       ("unknown"): its first result, where the contender publishes a window only once it has
 *       closed (the job before provisional figures); not measured where it publishes updates as the
 *       window grows (Kafka Streams without suppression: no result is final).
 * </ul>
 */
final class LatencyMeasures {

    private LatencyMeasures() {}

    /** A sale line the broker acknowledged at {@code ackedAt}. */
    record Ingested(
            long ackedAt,
            long eventTime,
            String sellerId,
            String region,
            String productId,
            int quantity) {}

    /** A result a read_committed reader saw at {@code seenAt} ({@code value} as published). */
    record Seen(long seenAt, String output, String key, byte[] value) {}

    /** A window (start, or -1 for a running total) of one key. */
    private record KeyAt(String id, long start) {}

    /** A windowed output: its size, and how a line names the key. */
    record Windowed(String output, long sizeMillis, Function<Ingested, String> id) {}

    /** A running total: how a line names the key. */
    record Total(String output, Function<Ingested, String> id) {}

    /**
     * One measure of one output.
     *
     * @param values latencies in milliseconds
     * @param windows key-windows measured (running totals: keys)
     * @param windowEnds distinct window ends measured (0 for running totals)
     * @param unmatched sales (or windows) for which no result was seen
     */
    record Measure(long[] values, int windows, int windowEnds, long unmatched) {
        static final Measure NONE = new Measure(null, 0, 0, 0);

        boolean measured() {
            return values != null;
        }

        Long percentile(int p) {
            if (values == null || values.length == 0) {
                return null;
            }
            int index = (int) Math.ceil(p / 100.0 * values.length) - 1;
            return values[Math.max(0, Math.min(values.length - 1, index))];
        }

        Long max() {
            return values == null || values.length == 0 ? null : values[values.length - 1];
        }
    }

    /** The measures of a windowed output. */
    record WindowMeasures(Measure firstVisible, Measure fin, String finalField) {}

    /** The measures of a running total. */
    record TotalMeasures(Measure perFigure, Measure firstVisible) {}

    /** The results of one output, by key-window, in the order seen. */
    private static final class Figures {
        final List<long[]> seenAndUnits = new ArrayList<>();
        final List<Boolean> finals = new ArrayList<>();
        long[] seenAt;
        long[] maxUnits;

        void add(long seenAt, long units, Boolean fin) {
            seenAndUnits.add(new long[] {seenAt, units});
            finals.add(fin);
        }

        void seal() {
            int n = seenAndUnits.size();
            seenAt = new long[n];
            maxUnits = new long[n];
            long max = Long.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                seenAt[i] = seenAndUnits.get(i)[0];
                max = Math.max(max, seenAndUnits.get(i)[1]);
                maxUnits[i] = max;
            }
        }

        /** When the first result with at least {@code units} was seen, or -1. */
        long firstReaching(long units) {
            int lo = 0;
            int hi = maxUnits.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (maxUnits[mid] >= units) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo < maxUnits.length ? seenAt[lo] : -1;
        }
    }

    /** A growable array of latencies. */
    private static final class Values {
        long[] values = new long[1024];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long[] sorted() {
            long[] out = Arrays.copyOf(values, size);
            Arrays.sort(out);
            return out;
        }
    }

    /**
     * The lines that count, in acknowledgement order: resends are already left out; a line of a
     * product delisted at or before its event time is rejected by every contender.
     */
    static List<Ingested> counted(List<Ingested> ingested, Map<String, Long> delistedAt) {
        List<Ingested> lines = new ArrayList<>(ingested.size());
        for (Ingested i : ingested) {
            Long delisted = delistedAt.get(i.productId());
            if (delisted == null || i.eventTime() < delisted) {
                lines.add(i);
            }
        }
        lines.sort(Comparator.comparingLong(Ingested::ackedAt));
        return lines;
    }

    /**
     * {@code missingFinalMeansFinal}: whether a result without the {@code final} field is the
     * window's final figure (a contender that publishes a window once it has closed).
     */
    static WindowMeasures windowed(
            Windowed output,
            List<Seen> seen,
            List<Ingested> lines,
            long from,
            long to,
            boolean missingFinalMeansFinal) {
        Map<KeyAt, Figures> figures = new HashMap<>();
        boolean fieldSeen = false;
        for (Seen s : seen) {
            if (!s.output().equals(output.output()) || s.value() == null) {
                continue;
            }
            int at = s.key().lastIndexOf('@');
            KeyAt key =
                    new KeyAt(
                            s.key().substring(0, at),
                            Instant.parse(s.key().substring(at + 1)).toEpochMilli());
            JsonNode value = json(s.value());
            JsonNode fin = value.get("final");
            fieldSeen |= fin != null && fin.isBoolean();
            figures.computeIfAbsent(key, k -> new Figures())
                    .add(
                            s.seenAt(),
                            value.path("units").asLong(),
                            fin != null && fin.isBoolean() ? fin.asBoolean() : null);
        }
        figures.values().forEach(Figures::seal);

        // First visible, per sale.
        Map<KeyAt, Long> cumulative = new HashMap<>();
        Values firstVisible = new Values();
        Set<KeyAt> windows = new HashSet<>();
        Set<Long> ends = new HashSet<>();
        long unmatched = 0;
        long slide = 60_000;
        for (Ingested line : lines) {
            String id = output.id().apply(line);
            long last = Math.floorDiv(line.eventTime(), slide) * slide;
            for (long start = last;
                    start > line.eventTime() - output.sizeMillis();
                    start -= slide) {
                KeyAt key = new KeyAt(id, start);
                long units = cumulative.merge(key, (long) line.quantity(), Long::sum);
                if (line.ackedAt() < from || line.ackedAt() > to) {
                    continue;
                }
                Figures f = figures.get(key);
                long visible = f == null ? -1 : f.firstReaching(units);
                if (visible < 0) {
                    unmatched++;
                } else {
                    firstVisible.add(visible - line.ackedAt());
                    windows.add(key);
                    ends.add(start + output.sizeMillis());
                }
            }
        }
        Measure visible =
                new Measure(firstVisible.sorted(), windows.size(), ends.size(), unmatched);

        // Final, per window.
        boolean finalKnown = fieldSeen || missingFinalMeansFinal;
        Measure fin = Measure.NONE;
        if (finalKnown) {
            Values finals = new Values();
            Set<Long> finalEnds = new HashSet<>();
            long missing = 0;
            for (Map.Entry<KeyAt, Figures> e : figures.entrySet()) {
                long end = e.getKey().start() + output.sizeMillis();
                if (end < from || end > to) {
                    continue;
                }
                Figures f = e.getValue();
                long firstFinal = -1;
                for (int i = 0; i < f.seenAt.length; i++) {
                    Boolean isFinal = f.finals.get(i);
                    if (Boolean.TRUE.equals(isFinal)
                            || (isFinal == null && !fieldSeen && missingFinalMeansFinal)) {
                        firstFinal = f.seenAt[i];
                        break;
                    }
                }
                if (firstFinal < 0) {
                    missing++;
                } else {
                    finals.add(firstFinal - end);
                    finalEnds.add(end);
                }
            }
            long[] sorted = finals.sorted();
            fin = new Measure(sorted, sorted.length, finalEnds.size(), missing);
        }
        String field =
                fieldSeen
                        ? "present"
                        : missingFinalMeansFinal
                                ? "missing: first result taken as final"
                                : "missing: updates, none final";
        return new WindowMeasures(visible, fin, field);
    }

    static TotalMeasures total(
            Total output, List<Seen> seen, List<Ingested> lines, long from, long to) {
        Map<KeyAt, Figures> figures = new HashMap<>();
        List<long[]> perFigure = new ArrayList<>();
        List<KeyAt> perFigureKeys = new ArrayList<>();
        for (Seen s : seen) {
            if (!s.output().equals(output.output()) || s.value() == null) {
                continue;
            }
            KeyAt key = new KeyAt(s.key(), -1);
            long units = json(s.value()).path("units").asLong();
            figures.computeIfAbsent(key, k -> new Figures()).add(s.seenAt(), units, null);
            if (s.seenAt() >= from && s.seenAt() <= to) {
                perFigure.add(new long[] {s.seenAt(), units});
                perFigureKeys.add(key);
            }
        }
        figures.values().forEach(Figures::seal);

        // Per sale; and, for the per-figure measure, each key's acknowledgements by cumulative
        // units.
        Map<KeyAt, Long> cumulative = new HashMap<>();
        Map<KeyAt, List<long[]>> steps = new HashMap<>();
        Values firstVisible = new Values();
        Set<KeyAt> keys = new HashSet<>();
        long unmatched = 0;
        for (Ingested line : lines) {
            KeyAt key = new KeyAt(output.id().apply(line), -1);
            long units = cumulative.merge(key, (long) line.quantity(), Long::sum);
            steps.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(new long[] {units, line.ackedAt()});
            if (line.ackedAt() < from || line.ackedAt() > to) {
                continue;
            }
            Figures f = figures.get(key);
            long visible = f == null ? -1 : f.firstReaching(units);
            if (visible < 0) {
                unmatched++;
            } else {
                firstVisible.add(visible - line.ackedAt());
                keys.add(key);
            }
        }

        Values newest = new Values();
        Set<KeyAt> figureKeys = new HashSet<>();
        long unknown = 0;
        for (int i = 0; i < perFigure.size(); i++) {
            List<long[]> s = steps.get(perFigureKeys.get(i));
            long units = perFigure.get(i)[1];
            if (s == null || s.getLast()[0] < units) {
                unknown++;
                continue;
            }
            int lo = 0;
            int hi = s.size() - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (s.get(mid)[0] >= units) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            newest.add(perFigure.get(i)[0] - s.get(lo)[1]);
            figureKeys.add(perFigureKeys.get(i));
        }
        return new TotalMeasures(
                new Measure(newest.sorted(), figureKeys.size(), 0, unknown),
                new Measure(firstVisible.sorted(), keys.size(), 0, unmatched));
    }

    private static JsonNode json(byte[] value) {
        try {
            return OutputFormat.JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
