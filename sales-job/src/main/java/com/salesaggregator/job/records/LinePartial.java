package com.salesaggregator.job.records;

import com.salesaggregator.job.serialization.LinePartialTypeInfo;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * On-time lines of one key (a seller, product or region), and for the windowed outputs of one
 * minute, combined before they are shuffled to their aggregate: what the aggregates add instead of
 * single lines (see {@code PreAggregator}).
 *
 * @param key the seller, product or region
 * @param latestEventTime event time of the latest line (its minute is the partial's minute)
 * @param name product name on the latest line (null unless the key is a product)
 * @param category product category on the latest line (null unless the key is a product)
 * @param orders distinct orders and receipts of the lines (empty unless the key is a seller)
 * @param units units of the lines
 * @param revenueCents their revenue in EUR cents
 * @param marginCents their gross margin in EUR cents
 */
@TypeInfo(LinePartialTypeInfo.Factory.class)
public record LinePartial(
        String key,
        long latestEventTime,
        String name,
        String category,
        Set<String> orders,
        long units,
        long revenueCents,
        long marginCents) {}
