package com.salesaggregator.job.records;

import com.salesaggregator.model.FxRate;

/**
 * One change of reference data, as broadcast to every subtask of {@link
 * com.salesaggregator.job.functions.SalePricing}: a catalog change or an exchange rate. Exactly one
 * field is set.
 *
 * @param product a catalog change, or null
 * @param rate an exchange rate, or null
 */
public record ReferenceChange(ProductChange product, FxRate rate) {

    public static ReferenceChange of(ProductChange product) {
        return new ReferenceChange(product, null);
    }

    public static ReferenceChange of(FxRate rate) {
        return new ReferenceChange(null, rate);
    }
}
