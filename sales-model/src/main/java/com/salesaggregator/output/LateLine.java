package com.salesaggregator.output;

import com.salesaggregator.model.Channel;
import java.math.BigDecimal;

/**
 * A {@code sales-late} value: a valid, priced sale line that reached the aggregation stage after
 * its one-minute window had closed for longer than the allowed lateness; counted in no aggregate.
 * Times are ISO-8601 UTC.
 *
 * @param lineId the line
 * @param channel where it came from
 * @param orderId its order or receipt
 * @param sellerId the seller
 * @param storeId the store, or null for an online order
 * @param region the region
 * @param productId the product
 * @param quantity units
 * @param unitPrice price of one unit in {@code currency}
 * @param currency ISO 4217 code
 * @param eventTime the line's event time
 * @param productName product name in the catalog version in force
 * @param category product category in that version
 * @param eurPerUnit the rate applied (1 for EUR)
 * @param revenueEur the line's revenue in EUR, two decimals
 * @param marginEur the line's gross margin in EUR, two decimals
 * @param missedWatermark the watermark it missed
 * @param windowStart start of its one-minute window
 * @param windowEnd end of that window (exclusive)
 */
public record LateLine(
        String lineId,
        Channel channel,
        String orderId,
        String sellerId,
        String storeId,
        String region,
        String productId,
        int quantity,
        BigDecimal unitPrice,
        String currency,
        String eventTime,
        String productName,
        String category,
        BigDecimal eurPerUnit,
        BigDecimal revenueEur,
        BigDecimal marginEur,
        String missedWatermark,
        String windowStart,
        String windowEnd) {}
