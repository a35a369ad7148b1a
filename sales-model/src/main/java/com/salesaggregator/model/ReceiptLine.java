package com.salesaggregator.model;

import java.math.BigDecimal;

/**
 * One line of a {@link StoreReceipt}.
 *
 * @param productId the product sold
 * @param quantity units sold, at least 1
 * @param unitPrice price of one unit in the receipt's currency
 */
public record ReceiptLine(String productId, int quantity, BigDecimal unitPrice) {}
