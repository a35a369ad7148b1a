package com.salesaggregator.job.records;

import java.math.BigDecimal;

/**
 * A change to one catalog entry from the {@code products} topic: a new version, or a delisting
 * (tombstone).
 *
 * @param productId the product
 * @param name display name (null for a delisting)
 * @param category category (null for a delisting)
 * @param unitCostEur unit cost in EUR (null for a delisting)
 * @param validFrom epoch millis from which the change applies: {@code updated_at}, or the
 *     tombstone's record timestamp
 * @param delisted whether this is a delisting
 */
public record ProductChange(
        String productId,
        String name,
        String category,
        BigDecimal unitCostEur,
        long validFrom,
        boolean delisted) {

    /** This change taking effect from {@code from} instead (what pruning older versions does). */
    public ProductChange withValidFrom(long from) {
        return new ProductChange(productId, name, category, unitCostEur, from, delisted);
    }
}
