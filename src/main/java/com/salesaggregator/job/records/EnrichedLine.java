package com.salesaggregator.job.records;

import com.salesaggregator.model.SaleLine;
import java.math.BigDecimal;

/**
 * A sale line with the catalog version in force at its event time.
 *
 * @param line the sale line
 * @param productName product name in that version
 * @param category product category in that version
 * @param unitCostEur unit cost in EUR in that version
 */
public record EnrichedLine(
        SaleLine line, String productName, String category, BigDecimal unitCostEur) {}
