package com.salesaggregator.dashboard;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * What the four charts (and the sellers table) show, computed from the latest committed value per
 * key: the dashboard's view of the outputs at one moment. Serialized to JSON in snake case.
 *
 * @param revenuePerProduct top products by running revenue
 * @param regionShares running revenue per region with its share of the total
 * @param regionTrend units per region per minute over the last minutes
 * @param productWindow units per product in the five-minute window that closes next (provisional)
 *     or, when none is open, the latest closed one
 * @param sellerMinute top sellers in the newest minute (provisional while it is open)
 * @param deadLetters committed dead letters by reason code
 * @param lateLines committed late lines
 */
public record Figures(
        List<ProductRevenue> revenuePerProduct,
        List<RegionShare> regionShares,
        RegionTrend regionTrend,
        ProductWindowUnits productWindow,
        SellerWindow sellerMinute,
        Map<String, Long> deadLetters,
        long lateLines) {

    /** One product's running totals (EUR). */
    public record ProductRevenue(
            String productId,
            String name,
            long units,
            BigDecimal revenueEur,
            BigDecimal marginEur) {}

    /** One region's running totals and its share of the revenue of all regions (0 to 1). */
    public record RegionShare(String region, long units, BigDecimal revenueEur, double share) {}

    /**
     * Units per region per minute.
     *
     * @param minutes window starts (ISO-8601 UTC), oldest first, consecutive
     * @param provisional per minute, aligned with {@code minutes}: true while the minute is open (a
     *     region's figure of it is provisional), false once it has closed
     * @param regions one series per region, aligned with {@code minutes} (0 where none sold)
     */
    public record RegionTrend(
            List<String> minutes, List<Boolean> provisional, List<RegionSeries> regions) {}

    /** Units of one region per minute. */
    public record RegionSeries(String region, List<Long> units) {}

    /**
     * The products of one five-minute window, most units first.
     *
     * @param windowStart ISO-8601 UTC, null before the first window
     * @param windowEnd ISO-8601 UTC, null before the first window
     * @param provisional true while the window is open: its figures are provisional
     * @param products the top products of the window
     * @param productCount how many products sold in the window
     */
    public record ProductWindowUnits(
            String windowStart,
            String windowEnd,
            boolean provisional,
            List<ProductUnits> products,
            int productCount) {}

    /** Units of one product in a window. */
    public record ProductUnits(String productId, String name, String category, long units) {}

    /**
     * The sellers of one minute, most revenue first.
     *
     * @param windowStart ISO-8601 UTC, null before the first minute
     * @param provisional true while the minute is open: its figures are provisional
     * @param sellers the top sellers
     */
    public record SellerWindow(
            String windowStart, boolean provisional, List<SellerRevenue> sellers) {}

    /** One seller's orders, units and revenue in a minute. */
    public record SellerRevenue(String sellerId, long orders, long units, BigDecimal revenueEur) {}
}
