package com.salesaggregator.local;

import com.salesaggregator.output.OutputCodec;
import com.salesaggregator.output.ProductWindow;
import com.salesaggregator.output.RegionTotal;
import com.salesaggregator.output.SellerMinute;
import com.salesaggregator.topics.Topic;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The latest committed figures for the live view: latest value per key of the outputs (upsert
 * semantics), and from them the top sellers of the newest minute, the region totals, the top
 * products of the five-minute window that closes next (the last five minutes), and dead-letter and
 * late counts. A window still open is marked: its figures are provisional, each with {@value
 * #PROVISIONAL} before it. Values are read with the outputs' {@link OutputCodec}; one it cannot
 * read is skipped.
 */
final class LiveFigures {

    /** The mark of a provisional figure (the window is still open). */
    static final String PROVISIONAL = "~";

    private static final int TOP = 5;
    private static final int COLUMN = 58;

    private final Map<String, SellerMinute> sellerMinutes = new HashMap<>();
    private final Map<String, ProductWindow> productWindows = new HashMap<>();
    private final Map<String, RegionTotal> regionTotals = new TreeMap<>();
    private final Map<String, Integer> deadLettersByReason = new TreeMap<>();
    private long late;

    /** Takes one committed output record; input topics are ignored. */
    void accept(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null || record.key() == null) {
            return;
        }
        String key = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            switch (Topic.byName(record.topic()).orElse(null)) {
                case REVENUE_PER_SELLER_1M ->
                        sellerMinutes.put(
                                key, OutputCodec.REVENUE_PER_SELLER.decode(record.value()));
                case UNITS_PER_PRODUCT_5M ->
                        productWindows.put(
                                key, OutputCodec.UNITS_PER_PRODUCT.decode(record.value()));
                case SALES_PER_REGION ->
                        regionTotals.put(key, OutputCodec.SALES_PER_REGION.decode(record.value()));
                case SALES_DLQ ->
                        deadLettersByReason.merge(
                                OutputCodec.DEAD_LETTERS.decode(record.value()).reason().name(),
                                1,
                                Integer::sum);
                case SALES_LATE -> {
                    OutputCodec.LATE_LINES.decode(record.value());
                    late++;
                }
                case null, default -> {}
            }
        } catch (IllegalArgumentException e) {
            // Not a value of this output: nothing to show.
        }
    }

    /** The figures as lines of text, two columns wide. */
    List<String> render() {
        List<String> left = new ArrayList<>();
        String lastMinute = latestWindow(sellerMinutes.values(), SellerMinute::windowStart);
        left.add(
                "Top sellers, minute "
                        + (lastMinute == null ? "-" : clock(lastMinute))
                        + " UTC"
                        + openMark(
                                sellerMinutes.values(),
                                SellerMinute::windowStart,
                                SellerMinute::isFinal,
                                lastMinute));
        sellerMinutes.values().stream()
                .filter(v -> v.windowStart().equals(lastMinute))
                .sorted(Comparator.comparing(SellerMinute::revenueEur).reversed())
                .limit(TOP)
                .forEach(
                        v ->
                                left.add(
                                        String.format(
                                                "%-2s%-12s %3d orders %4d units %12s",
                                                mark(v.isFinal()),
                                                v.sellerId(),
                                                v.orders(),
                                                v.units(),
                                                euros(v.revenueEur()))));
        List<String> right = new ArrayList<>();
        right.add("Regions, running totals");
        regionTotals
                .values()
                .forEach(
                        v ->
                                right.add(
                                        String.format(
                                                "  %-12s %7d units %14s",
                                                v.region(), v.units(), euros(v.revenueEur()))));
        List<String> lines = zip(left, right);
        lines.add("");
        String lastWindow = closingNext(productWindows.values());
        lines.add(
                "Top products, 5-minute window "
                        + (lastWindow == null ? "-" : "from " + clock(lastWindow))
                        + " UTC"
                        + openMark(
                                productWindows.values(),
                                ProductWindow::windowStart,
                                ProductWindow::isFinal,
                                lastWindow));
        productWindows.values().stream()
                .filter(v -> v.windowStart().equals(lastWindow))
                .sorted(Comparator.comparingLong(ProductWindow::units).reversed())
                .limit(TOP)
                .forEach(
                        v ->
                                lines.add(
                                        String.format(
                                                "%-2s%-8s %-30s %-12s %5d units",
                                                mark(v.isFinal()),
                                                v.productId(),
                                                v.name(),
                                                v.category(),
                                                v.units())));
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
    private static String mark(boolean isFinal) {
        return isFinal ? "" : PROVISIONAL;
    }

    /** After a window's heading: whether it is still open. */
    private static <T> String openMark(
            Collection<T> windows,
            Function<T, String> windowStart,
            Function<T, Boolean> isFinal,
            String start) {
        boolean open =
                windows.stream()
                        .anyMatch(v -> windowStart.apply(v).equals(start) && !isFinal.apply(v));
        return open ? " (open: " + PROVISIONAL + " provisional)" : "";
    }

    /**
     * The window that closes next: the oldest window start with a provisional figure after the
     * newest start whose figures are all final; else that newest closed start.
     */
    private static String closingNext(Collection<ProductWindow> windows) {
        TreeMap<String, Boolean> allFinal = new TreeMap<>();
        for (ProductWindow v : windows) {
            allFinal.merge(v.windowStart(), v.isFinal(), Boolean::logicalAnd);
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

    private static <T> String latestWindow(Collection<T> windows, Function<T, String> windowStart) {
        String latest = null;
        for (T v : windows) {
            String start = windowStart.apply(v);
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
