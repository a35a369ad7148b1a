package com.salesaggregator.job;

import com.salesaggregator.verify.ReferenceModel.LateLine;
import com.salesaggregator.verify.ReferenceModel.ProductTotal;
import com.salesaggregator.verify.ReferenceModel.ProductWindow;
import com.salesaggregator.verify.ReferenceModel.RegionMinute;
import com.salesaggregator.verify.ReferenceModel.RegionTotal;
import com.salesaggregator.verify.ReferenceModel.SellerMinute;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The final state of every output of a run, as read by {@link CommittedOutputs}; {@code
 * windowRules}: what broke the rules of provisional and final window figures (empty if nothing).
 */
record Published(
        Map<String, SellerMinute> revenuePerSeller,
        Map<String, ProductWindow> unitsPerProduct,
        Map<String, RegionMinute> regionTrend,
        Map<String, ProductTotal> revenuePerProduct,
        Map<String, RegionTotal> salesPerRegion,
        List<DlqEntry> deadLetters,
        Map<String, LateLine> late,
        List<String> windowRules) {

    /** For comparing runs on differently prefixed topics: DLQ entries sorted, unprefixed. */
    Published withoutTopicPrefix(String prefix) {
        return new Published(
                revenuePerSeller,
                unitsPerProduct,
                regionTrend,
                revenuePerProduct,
                salesPerRegion,
                deadLetters.stream()
                        .map(d -> d.withoutTopicPrefix(prefix))
                        .sorted(Comparator.comparing(DlqEntry::key))
                        .toList(),
                late,
                windowRules);
    }
}
