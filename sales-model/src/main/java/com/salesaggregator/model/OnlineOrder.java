package com.salesaggregator.model;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One online order: a single product line, keyed by {@code order_id} on {@code sales-online}.
 *
 * @param orderId unique order id; also the line id of its one sale line
 * @param eventTime when the order was placed (UTC)
 * @param sellerId the seller that fulfils the order
 * @param customerId the buying customer
 * @param productId the ordered product
 * @param quantity units ordered, at least 1
 * @param unitPrice price of one unit in {@code currency}
 * @param currency ISO 4217 code of the price
 * @param region sales region of the order
 */
public record OnlineOrder(
        String orderId,
        Instant eventTime,
        String sellerId,
        String customerId,
        String productId,
        int quantity,
        BigDecimal unitPrice,
        String currency,
        String region) {}
