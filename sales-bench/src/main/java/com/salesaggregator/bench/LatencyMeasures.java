package com.salesaggregator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.output.OutputCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How soon results became visible, computed from what a latency run recorded: the sale lines the
 * broker acknowledged (with when) and the results a {@code read_committed} reader saw (with when).
 *
 * <ul>
 *   <li><b>First visible, per sale</b> (windowed outputs and running totals): for every counted
 *       sale line acknowledged in the measured period, the first result of its key (and window)
 *       whose {@code units} reach the key's cumulative units up to that line, in acknowledgement
 *       order (the order the producer's callbacks logged them), minus the line's acknowledgement;
 *       for a sliding window, per sale and window. A provisional figure where the output publishes
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

    /** A result a read_committed reader saw at {@code seenAt} ({@code value} as published). */
    record Seen(long seenAt, String output, String key, byte[] value) {}

    /** A window (start, or -1 for a running total) of one key (its index in the log). */
    private record KeyAt(short id, long start) {}

    /** A windowed output: its size, and what a line is keyed by. */
    record Windowed(String output, long sizeMillis, AckLog.Dimension key) {}

    /** A running total: what a line is keyed by. */
    record Total(String output, AckLog.Dimension key) {}

    /**
     * One measure of one output.
     *
     * @param values latencies in milliseconds
     * @param windows key-windows measured (running totals: keys)
     * @param windowEnds distinct window ends measured (0 for running totals)
     * @param unmatched sales (or windows) for which no result was seen
     */
    record Measure(int[] values, int windows, int windowEnds, long unmatched) {
        static final Measure NONE = new Measure(null, 0, 0, 0);

        boolean measured() {
            return values != null;
        }

        Long percentile(int p) {
            if (values == null || values.length == 0) {
                return null;
            }
            int index = (int) Math.ceil(p / 100.0 * values.length) - 1;
            return (long) values[Math.max(0, Math.min(values.length - 1, index))];
        }

        Long max() {
            return values == null || values.length == 0 ? null : (long) values[values.length - 1];
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

    /** A key's cumulative units after each of its lines, and the lines' acknowledgements. */
    private static final class Steps {
        long[] units = new long[256];
        long[] acked = new long[256];
        int size;

        void add(long cumulative, long ackedAt) {
            if (size == units.length) {
                units = Arrays.copyOf(units, size * 2);
                acked = Arrays.copyOf(acked, size * 2);
            }
            units[size] = cumulative;
            acked[size++] = ackedAt;
        }

        /** The acknowledgement of the line at which the cumulative units reach {@code u}, or -1. */
        long ackReaching(long u) {
            int lo = 0;
            int hi = size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (units[mid] >= u) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo < size ? acked[lo] : -1;
        }
    }

    /** A growable array of latencies. */
    private static final class Values {
        int[] values = new int[1024];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
        }

        int[] sorted() {
            int[] out = Arrays.copyOf(values, size);
            Arrays.sort(out);
            return out;
        }
    }

    /**
     * {@code missingFinalMeansFinal}: whether a result without the {@code final} field is the
     * window's final figure (a contender that publishes a window once it has closed).
     */
    static WindowMeasures windowed(
            Windowed output,
            List<Seen> seen,
            AckLog lines,
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
            short id = lines.idOf(s.key().substring(0, at));
            if (id < 0) {
                continue;
            }
            KeyAt key = new KeyAt(id, Instant.parse(s.key().substring(at + 1)).toEpochMilli());
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
        long[] delistedAt = lines.delistedAtById();
        int size = lines.size();
        for (int i = 0; i < size; i++) {
            long eventTime = lines.eventTime(i);
            if (eventTime >= delistedAt[lines.id(AckLog.Dimension.PRODUCT, i)]) {
                continue;
            }
            short id = lines.id(output.key(), i);
            long ackedAt = lines.ackedAt(i);
            long last = Math.floorDiv(eventTime, slide) * slide;
            for (long start = last; start > eventTime - output.sizeMillis(); start -= slide) {
                KeyAt key = new KeyAt(id, start);
                long units = cumulative.merge(key, (long) lines.quantity(i), Long::sum);
                if (ackedAt < from || ackedAt > to) {
                    continue;
                }
                Figures f = figures.get(key);
                long visible = f == null ? -1 : f.firstReaching(units);
                if (visible < 0) {
                    unmatched++;
                } else {
                    firstVisible.add(visible - ackedAt);
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
            int[] sorted = finals.sorted();
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

    static TotalMeasures total(Total output, List<Seen> seen, AckLog lines, long from, long to) {
        Map<KeyAt, Figures> figures = new HashMap<>();
        List<long[]> perFigure = new ArrayList<>();
        List<KeyAt> perFigureKeys = new ArrayList<>();
        for (Seen s : seen) {
            if (!s.output().equals(output.output()) || s.value() == null) {
                continue;
            }
            short id = lines.idOf(s.key());
            if (id < 0) {
                continue;
            }
            KeyAt key = new KeyAt(id, -1);
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
        Map<KeyAt, Steps> steps = new HashMap<>();
        Values firstVisible = new Values();
        Set<KeyAt> keys = new HashSet<>();
        long unmatched = 0;
        long[] delistedAt = lines.delistedAtById();
        int size = lines.size();
        for (int i = 0; i < size; i++) {
            if (lines.eventTime(i) >= delistedAt[lines.id(AckLog.Dimension.PRODUCT, i)]) {
                continue;
            }
            KeyAt key = new KeyAt(lines.id(output.key(), i), -1);
            long ackedAt = lines.ackedAt(i);
            long units = cumulative.merge(key, (long) lines.quantity(i), Long::sum);
            steps.computeIfAbsent(key, k -> new Steps()).add(units, ackedAt);
            if (ackedAt < from || ackedAt > to) {
                continue;
            }
            Figures f = figures.get(key);
            long visible = f == null ? -1 : f.firstReaching(units);
            if (visible < 0) {
                unmatched++;
            } else {
                firstVisible.add(visible - ackedAt);
                keys.add(key);
            }
        }

        Values newest = new Values();
        Set<KeyAt> figureKeys = new HashSet<>();
        long unknown = 0;
        for (int i = 0; i < perFigure.size(); i++) {
            Steps s = steps.get(perFigureKeys.get(i));
            long acked = s == null ? -1 : s.ackReaching(perFigure.get(i)[1]);
            if (acked < 0) {
                unknown++;
                continue;
            }
            newest.add(perFigure.get(i)[0] - acked);
            figureKeys.add(perFigureKeys.get(i));
        }
        return new TotalMeasures(
                new Measure(newest.sorted(), figureKeys.size(), 0, unknown),
                new Measure(firstVisible.sorted(), keys.size(), 0, unmatched));
    }

    private static JsonNode json(byte[] value) {
        try {
            return OutputCodec.JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
