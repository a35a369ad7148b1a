package com.salesaggregator.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.dashboard.Figures.ProductRevenue;
import com.salesaggregator.dashboard.Figures.ProductUnits;
import com.salesaggregator.dashboard.Figures.ProductWindowUnits;
import com.salesaggregator.dashboard.Figures.RegionSeries;
import com.salesaggregator.dashboard.Figures.RegionShare;
import com.salesaggregator.dashboard.Figures.RegionTrend;
import com.salesaggregator.dashboard.Figures.SellerRevenue;
import com.salesaggregator.dashboard.Figures.SellerWindow;
import com.salesaggregator.output.OutputFormat;
import com.salesaggregator.output.ProductTotal;
import com.salesaggregator.output.ProductWindow;
import com.salesaggregator.output.RegionMinute;
import com.salesaggregator.output.RegionTotal;
import com.salesaggregator.output.SellerMinute;
import com.salesaggregator.topics.Topic;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The committed outputs as the dashboard keeps them: the latest value per key (upsert semantics, as
 * a compacted topic would), pruned to what the charts can show, plus the dead-letter and late
 * counts. Takes records in any order (partitions interleave); thread-safe.
 *
 * <ul>
 *   <li>{@code revenue-per-product}, {@code sales-per-region}: every key's latest running total.
 *   <li>{@code region-trend-1m}: the minutes of the last {@link #TREND_MINUTES} up to the newest
 *       minute published; older minutes are dropped, and ignored if they arrive later. A minute is
 *       provisional while a region's latest figure of it is.
 *   <li>{@code revenue-per-seller-1m}: the newest minute, provisional while it is open.
 *   <li>{@code units-per-product-5m}: the five-minute window that closes next (the oldest window
 *       with a provisional figure after the newest closed one), or the newest closed window when
 *       none is open: the last five minutes, the open one included.
 *   <li>The job publishes an open window's figures provisionally as they grow and its final figures
 *       when it closes, all under the same key. Windows more than {@link #KEPT_WINDOWS} minutes
 *       older than the newest are dropped, and ignored if they arrive later.
 * </ul>
 */
public final class DashboardState {

    /** Minutes of region trend shown. */
    public static final int TREND_MINUTES = 10;

    /** How many minutes of window starts before the newest are kept to choose the one shown. */
    public static final int KEPT_WINDOWS = 5;

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final int topN;
    private final Map<String, ProductTotal> productTotals = new HashMap<>();
    private final Map<String, RegionTotal> regionTotals = new TreeMap<>();
    private final Map<RegionMinuteKey, Marked<RegionMinute>> regionMinutes = new HashMap<>();
    private Instant newestMinute;
    private final TreeMap<Instant, Map<String, Marked<ProductWindow>>> productWindows =
            new TreeMap<>();
    private final TreeMap<Instant, Map<String, Marked<SellerMinute>>> sellerMinutes =
            new TreeMap<>();
    private final Map<String, Long> deadLetters = new TreeMap<>();
    private long lateLines;
    private long unreadable;
    private long version;

    /**
     * @param topN how many products (and sellers) the ranked charts show
     */
    public DashboardState(int topN) {
        if (topN < 1) {
            throw new IllegalArgumentException("top-n must be at least 1, was " + topN);
        }
        this.topN = topN;
    }

    /**
     * Takes one committed record of an output.
     *
     * @param output the output's default topic name ({@link Topic})
     * @param key the record key (UTF-8)
     * @param value the record value (JSON as the job writes it)
     * @return whether the figures changed (false for an older window, a tombstone, an unreadable
     *     value or another topic)
     */
    public synchronized boolean apply(String output, String key, byte[] value) {
        if (value == null || key == null) {
            return false;
        }
        JsonNode json;
        try {
            json = OutputFormat.JSON.readTree(value);
        } catch (IOException e) {
            unreadable++;
            return false;
        }
        boolean changed;
        try {
            changed =
                    switch (Topic.byName(output).orElse(null)) {
                        case REVENUE_PER_PRODUCT -> {
                            ProductTotal t = OutputFormat.REVENUE_PER_PRODUCT.read(key, json);
                            productTotals.put(t.productId(), t);
                            yield true;
                        }
                        case SALES_PER_REGION -> {
                            RegionTotal t = OutputFormat.SALES_PER_REGION.read(key, json);
                            regionTotals.put(t.region(), t);
                            yield true;
                        }
                        case REGION_TREND_1M ->
                                regionMinute(marked(OutputFormat.REGION_TREND, key, json));
                        case UNITS_PER_PRODUCT_5M -> {
                            Marked<ProductWindow> w =
                                    marked(OutputFormat.UNITS_PER_PRODUCT, key, json);
                            yield window(
                                    productWindows,
                                    w.figure().windowStart(),
                                    w.figure().productId(),
                                    w);
                        }
                        case REVENUE_PER_SELLER_1M -> {
                            Marked<SellerMinute> m =
                                    marked(OutputFormat.REVENUE_PER_SELLER, key, json);
                            yield window(
                                    sellerMinutes,
                                    m.figure().windowStart(),
                                    m.figure().sellerId(),
                                    m);
                        }
                        case SALES_DLQ -> {
                            deadLetters.merge(json.path("reason").asText("?"), 1L, Long::sum);
                            yield true;
                        }
                        case SALES_LATE -> {
                            lateLines++;
                            yield true;
                        }
                        case null, default -> false;
                    };
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            unreadable++;
            return false;
        }
        if (changed) {
            version++;
        }
        return changed;
    }

    private static <T> Marked<T> marked(OutputFormat<T> format, String key, JsonNode json) {
        return new Marked<>(format.read(key, json), format.isFinal(json));
    }

    private boolean regionMinute(Marked<RegionMinute> marked) {
        RegionMinute m = marked.figure();
        Instant start = Instant.parse(m.windowStart());
        if (newestMinute != null && start.isBefore(oldestTrendMinute(newestMinute))) {
            return false;
        }
        if (newestMinute == null || start.isAfter(newestMinute)) {
            newestMinute = start;
            Instant oldest = oldestTrendMinute(start);
            regionMinutes.keySet().removeIf(k -> k.minute().isBefore(oldest));
        }
        regionMinutes.put(new RegionMinuteKey(m.region(), start), marked);
        return true;
    }

    /**
     * Keeps {@code figure} of {@code id} in the window starting at {@code windowStart}, unless the
     * window is more than {@link #KEPT_WINDOWS} minutes older than the newest; drops such windows.
     */
    private static <T> boolean window(
            TreeMap<Instant, Map<String, Marked<T>>> windows,
            String windowStart,
            String id,
            Marked<T> figure) {
        Instant start = Instant.parse(windowStart);
        Instant newest =
                windows.isEmpty() || start.isAfter(windows.lastKey()) ? start : windows.lastKey();
        Instant oldest = newest.minus(MINUTE.multipliedBy(KEPT_WINDOWS));
        if (start.isBefore(oldest)) {
            return false;
        }
        windows.headMap(oldest).clear();
        windows.computeIfAbsent(start, s -> new HashMap<>()).put(id, figure);
        return true;
    }

    /**
     * The window shown: the oldest with a provisional figure after the newest window whose figures
     * are all final (it closes next), else that newest closed window; null if none.
     */
    private static <T> Instant shownWindow(TreeMap<Instant, Map<String, Marked<T>>> windows) {
        Instant newestClosed = null;
        for (Map.Entry<Instant, Map<String, Marked<T>>> w : windows.descendingMap().entrySet()) {
            if (allFinal(w.getValue())) {
                newestClosed = w.getKey();
                break;
            }
        }
        for (Map.Entry<Instant, Map<String, Marked<T>>> w : windows.entrySet()) {
            if ((newestClosed == null || w.getKey().isAfter(newestClosed))
                    && !allFinal(w.getValue())) {
                return w.getKey();
            }
        }
        return newestClosed;
    }

    private static <T> boolean allFinal(Map<String, Marked<T>> window) {
        return window.values().stream().allMatch(Marked::isFinal);
    }

    private static Instant oldestTrendMinute(Instant newest) {
        return newest.minus(MINUTE.multipliedBy(TREND_MINUTES - 1));
    }

    /** Increases with every change of the figures. */
    public synchronized long version() {
        return version;
    }

    /** Values that could not be read (not JSON, or not the output's fields); skipped. */
    public synchronized long unreadable() {
        return unreadable;
    }

    /** The figures now. */
    public synchronized Figures figures() {
        return new Figures(
                revenuePerProduct(),
                regionShares(),
                regionTrend(),
                productWindowUnits(),
                sellerWindow(),
                new TreeMap<>(deadLetters),
                lateLines);
    }

    private List<ProductRevenue> revenuePerProduct() {
        return productTotals.values().stream()
                .sorted(
                        Comparator.comparing(ProductTotal::revenueEur)
                                .reversed()
                                .thenComparing(ProductTotal::productId))
                .limit(topN)
                .map(
                        t ->
                                new ProductRevenue(
                                        t.productId(),
                                        t.name(),
                                        t.units(),
                                        t.revenueEur(),
                                        t.marginEur()))
                .toList();
    }

    private List<RegionShare> regionShares() {
        BigDecimal total =
                regionTotals.values().stream()
                        .map(RegionTotal::revenueEur)
                        .reduce(BigDecimal.ZERO, BigDecimal::add);
        List<RegionShare> shares = new ArrayList<>();
        for (RegionTotal t : regionTotals.values()) {
            double share =
                    total.signum() == 0
                            ? 0
                            : t.revenueEur().divide(total, MathContext.DECIMAL64).doubleValue();
            shares.add(new RegionShare(t.region(), t.units(), t.revenueEur(), share));
        }
        return shares;
    }

    private RegionTrend regionTrend() {
        if (newestMinute == null) {
            return new RegionTrend(List.of(), List.of(), List.of());
        }
        // From the oldest minute kept (at most TREND_MINUTES back) to the newest, no gaps.
        Instant first =
                regionMinutes.keySet().stream()
                        .map(RegionMinuteKey::minute)
                        .min(Comparator.naturalOrder())
                        .orElse(newestMinute);
        List<Instant> minutes = new ArrayList<>();
        for (Instant m = first; !m.isAfter(newestMinute); m = m.plus(MINUTE)) {
            minutes.add(m);
        }
        TreeSet<String> regions = new TreeSet<>();
        regionMinutes.keySet().forEach(k -> regions.add(k.region()));
        List<RegionSeries> series = new ArrayList<>();
        for (String region : regions) {
            List<Long> units = new ArrayList<>();
            for (Instant minute : minutes) {
                Marked<RegionMinute> m = regionMinutes.get(new RegionMinuteKey(region, minute));
                units.add(m == null ? 0L : m.figure().units());
            }
            series.add(new RegionSeries(region, units));
        }
        List<Boolean> provisional = new ArrayList<>();
        for (Instant minute : minutes) {
            provisional.add(
                    regionMinutes.entrySet().stream()
                            .anyMatch(
                                    e ->
                                            e.getKey().minute().equals(minute)
                                                    && !e.getValue().isFinal()));
        }
        return new RegionTrend(
                minutes.stream().map(Instant::toString).toList(), provisional, series);
    }

    private ProductWindowUnits productWindowUnits() {
        Instant start = shownWindow(productWindows);
        if (start == null) {
            return new ProductWindowUnits(null, null, false, List.of(), 0);
        }
        Map<String, Marked<ProductWindow>> window = productWindows.get(start);
        List<ProductUnits> top =
                window.values().stream()
                        .map(Marked::figure)
                        .sorted(
                                Comparator.comparingLong(ProductWindow::units)
                                        .reversed()
                                        .thenComparing(ProductWindow::productId))
                        .limit(topN)
                        .map(
                                w ->
                                        new ProductUnits(
                                                w.productId(), w.name(), w.category(), w.units()))
                        .toList();
        String end = window.values().iterator().next().figure().windowEnd();
        return new ProductWindowUnits(start.toString(), end, !allFinal(window), top, window.size());
    }

    private SellerWindow sellerWindow() {
        // The newest minute, closed or not: the open minute as it grows.
        Instant start = sellerMinutes.isEmpty() ? null : sellerMinutes.lastKey();
        if (start == null) {
            return new SellerWindow(null, false, List.of());
        }
        Map<String, Marked<SellerMinute>> minute = sellerMinutes.get(start);
        return new SellerWindow(
                start.toString(),
                !allFinal(minute),
                minute.values().stream()
                        .map(Marked::figure)
                        .sorted(
                                Comparator.comparing(SellerMinute::revenueEur)
                                        .reversed()
                                        .thenComparing(SellerMinute::sellerId))
                        .limit(topN)
                        .map(
                                m ->
                                        new SellerRevenue(
                                                m.sellerId(),
                                                m.orders(),
                                                m.units(),
                                                m.revenueEur()))
                        .toList());
    }

    private record RegionMinuteKey(String region, Instant minute) {}

    /** A window figure and whether it is final. */
    private record Marked<T>(T figure, boolean isFinal) {}
}
