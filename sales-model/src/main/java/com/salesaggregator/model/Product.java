package com.salesaggregator.model;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One version of a catalog entry, keyed by {@code product_id} on the compacted {@code products}
 * topic. A newer {@code updated_at} supersedes older versions from that instant on; a tombstone
 * (null value) delists the product from its record timestamp on.
 *
 * @param productId the product
 * @param name display name
 * @param category catalog category
 * @param unitCostEur what one unit costs the business, in EUR (for gross margin)
 * @param updatedAt from when this version is in force (UTC)
 */
public record Product(
        String productId,
        String name,
        String category,
        BigDecimal unitCostEur,
        Instant updatedAt) {}
