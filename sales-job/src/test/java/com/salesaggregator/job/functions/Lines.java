package com.salesaggregator.job.functions;

import com.salesaggregator.job.records.PricedLine;
import com.salesaggregator.job.records.ProductChange;
import com.salesaggregator.model.Channel;
import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.SaleLine;
import java.math.BigDecimal;
import java.time.Instant;

/** Sale lines, catalog changes, rates and their derived records, built from what a test varies. */
final class Lines {

    static final DeadLetters.SourceTopics TOPICS =
            new DeadLetters.SourceTopics("sales-online", "sales-store");

    static final long SECOND = 1_000L;
    static final long MINUTE = 60 * SECOND;

    private Lines() {}

    /** An online order line (seller s1, region eu, partition 2) at {@code offset}. */
    static SaleLine online(
            String orderId,
            String productId,
            int quantity,
            String unitPrice,
            String currency,
            long eventTime) {
        return new SaleLine(
                orderId,
                Channel.ONLINE,
                orderId,
                "s1",
                null,
                "eu",
                productId,
                quantity,
                new BigDecimal(unitPrice),
                currency,
                eventTime,
                2,
                eventTime / SECOND);
    }

    /** A store receipt line with id {@code receiptId#index}, sold by {@code sellerId}. */
    static SaleLine storeLine(
            String receiptId, int index, String sellerId, String region, int quantity) {
        return new SaleLine(
                receiptId + SaleLine.LINE_INDEX_SEPARATOR + index,
                Channel.STORE,
                receiptId,
                sellerId,
                "store-1",
                region,
                "p1",
                quantity,
                new BigDecimal("1.00"),
                "EUR",
                0L,
                0,
                0L);
    }

    /** A line for {@code productId} at {@code eventTime}, one unit at 1 EUR. */
    static SaleLine at(String lineId, String productId, long eventTime) {
        return online(lineId, productId, 1, "1.00", "EUR", eventTime);
    }

    static ProductChange version(
            String productId, String name, String unitCostEur, long validFrom) {
        return new ProductChange(
                productId, name, "cat-" + name, new BigDecimal(unitCostEur), validFrom, false);
    }

    static ProductChange delisting(String productId, long validFrom) {
        return new ProductChange(productId, null, null, null, validFrom, true);
    }

    static FxRate rate(String currency, String eurPerUnit, long validFrom) {
        return new FxRate(currency, new BigDecimal(eurPerUnit), Instant.ofEpochMilli(validFrom));
    }

    /** A priced line of product {@code name} with the given cents (the rate is not looked at). */
    static PricedLine priced(SaleLine line, String name, long revenueCents, long marginCents) {
        return new PricedLine(line, name, "cat-" + name, BigDecimal.ONE, revenueCents, marginCents);
    }
}
