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
import com.salesaggregator.topics.Topics;
import com.salesaggregator.verify.OutputFormat;
import com.salesaggregator.verify.ReferenceModel.ProductTotal;
import com.salesaggregator.verify.ReferenceModel.ProductWindow;
import com.salesaggregator.verify.ReferenceModel.RegionMinute;
import com.salesaggregator.verify.ReferenceModel.RegionTotal;
import com.salesaggregator.verify.ReferenceModel.SellerMinute;
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
 *       minute published; older minutes are dropped, and ignored if they arrive later.
 *   <li>{@code units-per-product-5m}, {@code revenue-per-seller-1m}: only the newest window. The
 *       job publishes a window once it has closed (a later update re-emits it under the same key),
 *       so the newest window published is the latest complete one.
 * </ul>
 */
public final class DashboardState {

    /** Minutes of region trend shown. */
    public static final int TREND_MINUTES = 10;

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final int topN;
    private final Map<String, ProductTotal> productTotals = new HashMap<>();
    private final Map<String, RegionTotal> regionTotals = new TreeMap<>();
    private final Map<RegionMinuteKey, RegionMinute> regionMinutes = new HashMap<>();
    private Instant newestMinute;
    private final Map<String, ProductWindow> productWindow = new HashMap<>();
    private Instant productWindowStart;
    private final Map<String, SellerMinute> sellerMinute = new HashMap<>();
    private Instant sellerMinuteStart;
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
     * @param output the output's default topic name ({@link Topics})
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
                    switch (output) {
                        case Topics.REVENUE_PER_PRODUCT -> {
                            ProductTotal t = OutputFormat.REVENUE_PER_PRODUCT.read(key, json);
                            productTotals.put(t.productId(), t);
                            yield true;
                        }
                        case Topics.SALES_PER_REGION -> {
                            RegionTotal t = OutputFormat.SALES_PER_REGION.read(key, json);
                            regionTotals.put(t.region(), t);
                            yield true;
                        }
                        case Topics.REGION_TREND_1M ->
                                regionMinute(OutputFormat.REGION_TREND.read(key, json));
                        case Topics.UNITS_PER_PRODUCT_5M ->
                                productWindow(OutputFormat.UNITS_PER_PRODUCT.read(key, json));
                        case Topics.REVENUE_PER_SELLER_1M ->
                                sellerMinute(OutputFormat.REVENUE_PER_SELLER.read(key, json));
                        case Topics.SALES_DLQ -> {
                            deadLetters.merge(json.path("reason").asText("?"), 1L, Long::sum);
                            yield true;
                        }
                        case Topics.SALES_LATE -> {
                            lateLines++;
                            yield true;
                        }
                        default -> false;
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

    private boolean regionMinute(RegionMinute m) {
        Instant start = Instant.parse(m.windowStart());
        if (newestMinute != null && start.isBefore(oldestTrendMinute(newestMinute))) {
            return false;
        }
        if (newestMinute == null || start.isAfter(newestMinute)) {
            newestMinute = start;
            Instant oldest = oldestTrendMinute(start);
            regionMinutes.keySet().removeIf(k -> k.minute().isBefore(oldest));
        }
        regionMinutes.put(new RegionMinuteKey(m.region(), start), m);
        return true;
    }

    private boolean productWindow(ProductWindow w) {
        Instant start = Instant.parse(w.windowStart());
        if (productWindowStart != null && start.isBefore(productWindowStart)) {
            return false;
        }
        if (productWindowStart == null || start.isAfter(productWindowStart)) {
            productWindowStart = start;
            productWindow.clear();
        }
        productWindow.put(w.productId(), w);
        return true;
    }

    private boolean sellerMinute(SellerMinute m) {
        Instant start = Instant.parse(m.windowStart());
        if (sellerMinuteStart != null && start.isBefore(sellerMinuteStart)) {
            return false;
        }
        if (sellerMinuteStart == null || start.isAfter(sellerMinuteStart)) {
            sellerMinuteStart = start;
            sellerMinute.clear();
        }
        sellerMinute.put(m.sellerId(), m);
        return true;
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
            return new RegionTrend(List.of(), List.of());
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
                RegionMinute m = regionMinutes.get(new RegionMinuteKey(region, minute));
                units.add(m == null ? 0L : m.units());
            }
            series.add(new RegionSeries(region, units));
        }
        return new RegionTrend(minutes.stream().map(Instant::toString).toList(), series);
    }

    private ProductWindowUnits productWindowUnits() {
        if (productWindowStart == null) {
            return new ProductWindowUnits(null, null, List.of(), 0);
        }
        List<ProductUnits> top =
                productWindow.values().stream()
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
        String end = productWindow.values().iterator().next().windowEnd();
        return new ProductWindowUnits(
                productWindowStart.toString(), end, top, productWindow.size());
    }

    private SellerWindow sellerWindow() {
        if (sellerMinuteStart == null) {
            return new SellerWindow(null, List.of());
        }
        return new SellerWindow(
                sellerMinuteStart.toString(),
                sellerMinute.values().stream()
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
}
