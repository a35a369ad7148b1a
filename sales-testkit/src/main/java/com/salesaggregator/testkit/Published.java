package com.salesaggregator.testkit;

import com.salesaggregator.output.ProductTotal;
import com.salesaggregator.output.ProductWindow;
import com.salesaggregator.output.RegionMinute;
import com.salesaggregator.output.RegionTotal;
import com.salesaggregator.output.SellerMinute;
import com.salesaggregator.verify.ReferenceModel.LateLine;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The final state of every output of a run, as read by {@link CommittedOutputs}; {@code
 * windowRules}: what broke the rules of provisional and final window figures (empty if nothing).
 */
public record Published(
        Map<String, SellerMinute> revenuePerSeller,
        Map<String, ProductWindow> unitsPerProduct,
        Map<String, RegionMinute> regionTrend,
        Map<String, ProductTotal> revenuePerProduct,
        Map<String, RegionTotal> salesPerRegion,
        List<DlqEntry> deadLetters,
        Map<String, LateLine> late,
        List<String> windowRules) {

    /** For comparing runs on differently prefixed topics: DLQ entries sorted, unprefixed. */
    public Published withoutTopicPrefix(String prefix) {
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
