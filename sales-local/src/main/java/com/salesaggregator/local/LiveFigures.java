package com.salesaggregator.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesaggregator.topics.Topic;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The latest committed figures for the live view: latest value per key of the outputs (upsert
 * semantics), and from them the top sellers of the newest minute, the region totals, the top
 * products of the five-minute window that closes next (the last five minutes), and dead-letter and
 * late counts. A window still open is marked: its figures are provisional, each with {@value
 * #PROVISIONAL} before it.
 */
final class LiveFigures {

    /** The mark of a provisional figure (the window is still open). */
    static final String PROVISIONAL = "~";

    private static final int TOP = 5;
    private static final int COLUMN = 58;

    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, JsonNode> sellerMinutes = new HashMap<>();
    private final Map<String, JsonNode> productWindows = new HashMap<>();
    private final Map<String, JsonNode> regionTotals = new TreeMap<>();
    private final Map<String, Integer> deadLettersByReason = new TreeMap<>();
    private long late;

    /** Takes one committed output record; input topics are ignored. */
    void accept(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null || record.key() == null) {
            return;
        }
        String key = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
        JsonNode value;
        try {
            value = json.readTree(record.value());
        } catch (IOException e) {
            return;
        }
        switch (Topic.byName(record.topic()).orElse(null)) {
            case REVENUE_PER_SELLER_1M -> sellerMinutes.put(key, value);
            case UNITS_PER_PRODUCT_5M -> productWindows.put(key, value);
            case SALES_PER_REGION -> regionTotals.put(key, value);
            case SALES_DLQ ->
                    deadLettersByReason.merge(value.path("reason").asText(), 1, Integer::sum);
            case SALES_LATE -> late++;
            case null, default -> {}
        }
    }

    /** The figures as lines of text, two columns wide. */
    List<String> render() {
        List<String> left = new ArrayList<>();
        String lastMinute = latestWindow(sellerMinutes);
        left.add(
                "Top sellers, minute "
                        + (lastMinute == null ? "-" : clock(lastMinute))
                        + " UTC"
                        + openMark(sellerMinutes, lastMinute));
        sellerMinutes.values().stream()
                .filter(v -> v.path("window_start").asText().equals(lastMinute))
                .sorted(
                        Comparator.comparing((JsonNode v) -> v.path("revenue_eur").decimalValue())
                                .reversed())
                .limit(TOP)
                .forEach(
                        v ->
                                left.add(
                                        String.format(
                                                "%-2s%-12s %3d orders %4d units %12s",
                                                mark(v),
                                                v.path("seller_id").asText(),
                                                v.path("orders").asLong(),
                                                v.path("units").asLong(),
                                                euros(v.path("revenue_eur").decimalValue()))));
        List<String> right = new ArrayList<>();
        right.add("Regions, running totals");
        regionTotals
                .values()
                .forEach(
                        v ->
                                right.add(
                                        String.format(
                                                "  %-12s %7d units %14s",
                                                v.path("region").asText(),
                                                v.path("units").asLong(),
                                                euros(v.path("revenue_eur").decimalValue()))));
        List<String> lines = zip(left, right);
        lines.add("");
        String lastWindow = closingNext(productWindows);
        lines.add(
                "Top products, 5-minute window "
                        + (lastWindow == null ? "-" : "from " + clock(lastWindow))
                        + " UTC"
                        + openMark(productWindows, lastWindow));
        productWindows.values().stream()
                .filter(v -> v.path("window_start").asText().equals(lastWindow))
                .sorted(
                        Comparator.comparingLong((JsonNode v) -> v.path("units").asLong())
                                .reversed())
                .limit(TOP)
                .forEach(
                        v ->
                                lines.add(
                                        String.format(
                                                "%-2s%-8s %-30s %-12s %5d units",
                                                mark(v),
                                                v.path("product_id").asText(),
                                                v.path("name").asText(),
                                                v.path("category").asText(),
                                                v.path("units").asLong())));
        lines.add("");
        int dead = deadLettersByReason.values().stream().mapToInt(Integer::intValue).sum();
        lines.add(
                "Dead letters: "
                        + dead
                        + (deadLettersByReason.isEmpty() ? "" : " " + deadLettersByReason)
                        + "   Late lines: "
                        + late);
        return lines;
    }

    /** Before a provisional figure, {@value #PROVISIONAL}; before a final one, nothing. */
    private static String mark(JsonNode value) {
        return isFinal(value) ? "" : PROVISIONAL;
    }

    private static boolean isFinal(JsonNode value) {
        return value.path("final").asBoolean(true);
    }

    /** After a window's heading: whether it is still open. */
    private static String openMark(Map<String, JsonNode> windows, String start) {
        boolean open =
                windows.values().stream()
                        .anyMatch(
                                v -> v.path("window_start").asText().equals(start) && !isFinal(v));
        return open ? " (open: " + PROVISIONAL + " provisional)" : "";
    }

    /**
     * The window that closes next: the oldest window start with a provisional figure after the
     * newest start whose figures are all final; else that newest closed start.
     */
    private static String closingNext(Map<String, JsonNode> windows) {
        TreeMap<String, Boolean> allFinal = new TreeMap<>();
        for (JsonNode v : windows.values()) {
            allFinal.merge(v.path("window_start").asText(), isFinal(v), Boolean::logicalAnd);
        }
        String newestClosed = null;
        for (Map.Entry<String, Boolean> w : allFinal.descendingMap().entrySet()) {
            if (w.getValue()) {
                newestClosed = w.getKey();
                break;
            }
        }
        for (Map.Entry<String, Boolean> w : allFinal.entrySet()) {
            if ((newestClosed == null || w.getKey().compareTo(newestClosed) > 0) && !w.getValue()) {
                return w.getKey();
            }
        }
        return newestClosed;
    }

    private static String latestWindow(Map<String, JsonNode> windows) {
        String latest = null;
        for (JsonNode v : windows.values()) {
            String start = v.path("window_start").asText();
            if (latest == null || start.compareTo(latest) > 0) {
                latest = start;
            }
        }
        return latest;
    }

    private static String clock(String isoInstant) {
        int t = isoInstant.indexOf('T');
        return t < 0
                ? isoInstant
                : isoInstant.substring(t + 1, Math.min(t + 6, isoInstant.length()));
    }

    private static String euros(BigDecimal amount) {
        return String.format("EUR %,.2f", amount);
    }

    private static List<String> zip(List<String> left, List<String> right) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < Math.max(left.size(), right.size()); i++) {
            String l = i < left.size() ? left.get(i) : "";
            String r = i < right.size() ? right.get(i) : "";
            lines.add(String.format("%-" + COLUMN + "s %s", l, r));
        }
        return lines;
    }
}
