package com.salesaggregator.dashboard;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records per second arriving on the input topics, from samples of their end offsets: the increase
 * over the last {@code window} milliseconds (at least two samples apart). Thread-safe.
 */
public final class InputRate {

    private final long windowMillis;
    private final Deque<Sample> samples = new ArrayDeque<>();

    /**
     * @param windowMillis how far back the rate looks
     */
    public InputRate(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    /** Takes the sum of the end offsets of each input topic at {@code nowMillis}. */
    public synchronized void sample(long nowMillis, Map<String, Long> endOffsets) {
        samples.addLast(new Sample(nowMillis, Map.copyOf(endOffsets)));
        // Keep one sample at or beyond the window, so the rate always spans the full window.
        while (samples.size() > 2
                && samples.stream().skip(1).findFirst().orElseThrow().millis()
                        <= nowMillis - windowMillis) {
            samples.removeFirst();
        }
    }

    /** Records per second per topic; empty until two samples exist. */
    public synchronized Map<String, Double> perTopic() {
        Map<String, Double> rates = new TreeMap<>();
        if (samples.size() < 2) {
            return rates;
        }
        Sample first = samples.getFirst();
        Sample last = samples.getLast();
        double seconds = (last.millis() - first.millis()) / 1000.0;
        if (seconds <= 0) {
            return rates;
        }
        for (Map.Entry<String, Long> e : last.offsets().entrySet()) {
            long before = first.offsets().getOrDefault(e.getKey(), e.getValue());
            rates.put(e.getKey(), Math.max(0, e.getValue() - before) / seconds);
        }
        return rates;
    }

    /** Records per second over all topics, or null until two samples exist. */
    public synchronized Double total() {
        Map<String, Double> rates = perTopic();
        return rates.isEmpty()
                ? null
                : rates.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private record Sample(long millis, Map<String, Long> offsets) {}
}
