package com.salesaggregator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.dashboard.Figures.ProductRevenue;
import com.salesaggregator.dashboard.Figures.RegionSeries;
import com.salesaggregator.dashboard.Figures.RegionShare;
import com.salesaggregator.job.kafka.OutputJson;
import com.salesaggregator.job.records.ProductWindowUnits;
import com.salesaggregator.job.records.RegionMinute;
import com.salesaggregator.job.records.RunningTotal;
import com.salesaggregator.job.records.SellerMinute;
import com.salesaggregator.topics.Topic;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's state, fed with values exactly as the job writes them ({@link OutputJson}): the
 * latest value per key wins, the ranked charts keep their top N, the product chart shows the latest
 * complete five-minute window only, and the trend the last ten minutes.
 */
class DashboardStateTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final long MINUTE = Duration.ofMinutes(1).toMillis();

    private final DashboardState state = new DashboardState(3);

    @Test
    void theLatestValuePerKeyWins() {
        product("p-1", "Lamp", 2, 1000, 400);
        product("p-2", "Desk", 1, 5000, 2000);
        product("p-1", "Lamp", 5, 2500, 1000); // an update of p-1
        region("uk", 3, 12_345);
        region("uk", 4, 20_000);

        Figures figures = state.figures();

        assertThat(figures.revenuePerProduct())
                .containsExactly(
                        new ProductRevenue("p-2", "Desk", 1, eur("50.00"), eur("20.00")),
                        new ProductRevenue("p-1", "Lamp", 5, eur("25.00"), eur("10.00")));
        assertThat(figures.regionShares())
                .containsExactly(new RegionShare("uk", 4, eur("200.00"), 1.0));
    }

    @Test
    void revenuePerProductKeepsTheTopNByRevenueThenId() {
        product("p-1", "A", 1, 100, 0);
        product("p-2", "B", 1, 400, 0);
        product("p-3", "C", 1, 300, 0);
        product("p-4", "D", 1, 400, 0);
        product("p-5", "E", 1, 200, 0);

        assertThat(state.figures().revenuePerProduct())
                .extracting(ProductRevenue::productId)
                .containsExactly("p-2", "p-4", "p-3");
    }

    @Test
    void regionSharesAddUpToOne() {
        region("uk", 1, 10_000);
        region("japan", 1, 30_000);
        region("eu-west", 1, 60_000);

        List<RegionShare> shares = state.figures().regionShares();

        assertThat(shares)
                .extracting(RegionShare::region)
                .containsExactly("eu-west", "japan", "uk");
        assertThat(shares).extracting(RegionShare::share).containsExactly(0.6, 0.3, 0.1);
    }

    @Test
    void theProductChartShowsOnlyTheLatestCompleteWindow() {
        window("p-1", 0, 5);
        window("p-2", 0, 7);
        window("p-1", 1, 3); // the next window closed
        window("p-2", 0, 9); // a late update of the older window: no longer shown
        window("p-3", 1, 8);
        window("p-1", 1, 4); // an update of the latest window

        Figures.ProductWindowUnits latest = state.figures().productWindow();

        assertThat(latest.windowStart()).isEqualTo(T0.plusSeconds(60).toString());
        assertThat(latest.windowEnd()).isEqualTo(T0.plusSeconds(360).toString());
        assertThat(latest.products())
                .extracting(Figures.ProductUnits::productId, Figures.ProductUnits::units)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("p-3", 8L),
                        org.assertj.core.groups.Tuple.tuple("p-1", 4L));
        assertThat(latest.productCount()).isEqualTo(2);
    }

    @Test
    void aWindowOlderThanTheKeptOnesArrivingAfterANewerOneIsIgnored() {
        // Partitions interleave when the dashboard replays the topic from the start.
        window("p-1", 7, 5);
        assertThat(window("p-9", 1, 50)).isFalse();
        assertThat(window("p-8", 2, 50)).as("kept: within five minutes of the newest").isTrue();

        assertThat(state.figures().productWindow().products())
                .extracting(Figures.ProductUnits::productId)
                .containsExactly("p-1");
    }

    @Test
    void theTrendCoversTheLastTenMinutesWithoutGaps() {
        for (int m = 0; m < 12; m++) {
            regionMinute("uk", m, 10 + m);
        }
        regionMinute("japan", 9, 99);
        regionMinute("uk", 5, 500); // an update inside the range
        boolean old = regionMinute("japan", 1, 1); // outside the range: ignored

        Figures.RegionTrend trend = state.figures().regionTrend();

        assertThat(old).isFalse();
        assertThat(trend.minutes()).hasSize(DashboardState.TREND_MINUTES);
        assertThat(trend.minutes().getFirst()).isEqualTo(T0.plusSeconds(2 * 60).toString());
        assertThat(trend.minutes().getLast()).isEqualTo(T0.plusSeconds(11 * 60).toString());
        assertThat(trend.regions())
                .containsExactly(
                        new RegionSeries("japan", List.of(0L, 0L, 0L, 0L, 0L, 0L, 0L, 99L, 0L, 0L)),
                        new RegionSeries(
                                "uk", List.of(12L, 13L, 14L, 500L, 16L, 17L, 18L, 19L, 20L, 21L)));
    }

    @Test
    void theTrendStartsAtTheFirstMinutePublished() {
        regionMinute("uk", 3, 7);
        regionMinute("uk", 5, 9);

        Figures.RegionTrend trend = state.figures().regionTrend();

        assertThat(trend.minutes())
                .containsExactly(
                        T0.plusSeconds(180).toString(),
                        T0.plusSeconds(240).toString(),
                        T0.plusSeconds(300).toString());
        assertThat(trend.regions()).containsExactly(new RegionSeries("uk", List.of(7L, 0L, 9L)));
    }

    @Test
    void sellersOfTheLatestMinuteRankedByRevenue() {
        seller("s-1", 0, 1000);
        seller("s-1", 1, 300);
        seller("s-2", 1, 700);

        Figures.SellerWindow minute = state.figures().sellerMinute();

        assertThat(minute.windowStart()).isEqualTo(T0.plusSeconds(60).toString());
        assertThat(minute.sellers())
                .extracting(Figures.SellerRevenue::sellerId)
                .containsExactly("s-2", "s-1");
    }

    @Test
    void theProductChartShowsTheWindowThatClosesNextProvisionallyWhileItIsOpen() {
        window("p-1", 0, 5); // closed
        window("p-1", 1, 6, false); // open: closes next
        window("p-2", 1, 2, false);
        window("p-1", 2, 4, false); // open, closes later
        window("p-1", 5, 1, false);

        Figures.ProductWindowUnits shown = state.figures().productWindow();

        assertThat(shown.windowStart()).isEqualTo(T0.plusSeconds(60).toString());
        assertThat(shown.provisional()).isTrue();
        assertThat(shown.products())
                .extracting(Figures.ProductUnits::productId, Figures.ProductUnits::units)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("p-1", 6L),
                        org.assertj.core.groups.Tuple.tuple("p-2", 2L));

        // It closes: final figures; the next open window is shown.
        window("p-1", 1, 7);
        window("p-2", 1, 2);
        assertThat(state.figures().productWindow().windowStart())
                .isEqualTo(T0.plusSeconds(120).toString());

        // Every window closed (a drained run): the newest is shown, final.
        window("p-1", 2, 4);
        window("p-1", 5, 1);
        assertThat(state.figures().productWindow().windowStart())
                .isEqualTo(T0.plusSeconds(300).toString());
        assertThat(state.figures().productWindow().provisional()).isFalse();
    }

    @Test
    void theOpenMinuteIsProvisionalInTheTrendAndTheSellersUntilItCloses() {
        regionMinute("uk", 0, 3);
        regionMinute("japan", 0, 4);
        regionMinute("uk", 1, 5, false);
        regionMinute("japan", 1, 6);
        seller("s-1", 1, 300, false);

        assertThat(state.figures().regionTrend().provisional()).containsExactly(false, true);
        assertThat(state.figures().sellerMinute().windowStart())
                .isEqualTo(T0.plusSeconds(60).toString());
        assertThat(state.figures().sellerMinute().provisional()).isTrue();

        regionMinute("uk", 1, 7);
        seller("s-1", 1, 300);

        assertThat(state.figures().regionTrend().provisional()).containsExactly(false, false);
        assertThat(state.figures().regionTrend().regions())
                .containsExactly(
                        new RegionSeries("japan", List.of(4L, 6L)),
                        new RegionSeries("uk", List.of(3L, 7L)));
        assertThat(state.figures().sellerMinute().provisional()).isFalse();
    }

    @Test
    void deadLettersAreCountedByReasonAndLateLinesCounted() {
        apply(Topic.SALES_DLQ.topicName(), "k1", "{\"reason\":\"MALFORMED_JSON\"}");
        apply(Topic.SALES_DLQ.topicName(), "k2", "{\"reason\":\"MALFORMED_JSON\"}");
        apply(Topic.SALES_DLQ.topicName(), "k3", "{\"reason\":\"NO_FX_RATE\"}");
        apply(Topic.SALES_LATE.topicName(), "l1", "{\"line_id\":\"l1\"}");

        assertThat(state.figures().deadLetters())
                .isEqualTo(Map.of("MALFORMED_JSON", 2L, "NO_FX_RATE", 1L));
        assertThat(state.figures().lateLines()).isEqualTo(1);
    }

    @Test
    void unreadableValuesAreSkippedAndCounted() {
        long before = state.version();

        assertThat(apply(Topic.REVENUE_PER_PRODUCT.topicName(), "p-1", "not json")).isFalse();
        assertThat(apply(Topic.SALES_PER_REGION.topicName(), "uk", "{\"region\":\"uk\"}"))
                .isFalse();
        assertThat(state.apply(Topic.SALES_PER_REGION.topicName(), "uk", null)).isFalse();

        assertThat(state.unreadable()).isEqualTo(2);
        assertThat(state.version()).isEqualTo(before);
        assertThat(state.figures().regionShares()).isEmpty();
    }

    @Test
    void emptyStateHasEmptyFigures() {
        Figures figures = new DashboardState(10).figures();

        assertThat(figures.revenuePerProduct()).isEmpty();
        assertThat(figures.regionTrend().minutes()).isEmpty();
        assertThat(figures.productWindow().windowStart()).isNull();
        assertThat(figures.sellerMinute().sellers()).isEmpty();
    }

    // ---- values as the job writes them

    private void product(String id, String name, long units, long revenueCents, long margin) {
        RunningTotal t = new RunningTotal(id, name, 0, units, revenueCents, margin);
        state.apply(Topic.REVENUE_PER_PRODUCT.topicName(), id, OutputJson.productTotal(t));
    }

    private void region(String region, long units, long revenueCents) {
        RunningTotal t = new RunningTotal(region, null, 0, units, revenueCents, 0);
        state.apply(Topic.SALES_PER_REGION.topicName(), region, OutputJson.regionTotal(t));
    }

    private boolean window(String productId, int startMinute, long units) {
        return window(productId, startMinute, units, true);
    }

    private boolean window(String productId, int startMinute, long units, boolean isFinal) {
        long start = T0.toEpochMilli() + startMinute * MINUTE;
        ProductWindowUnits u =
                new ProductWindowUnits(
                        productId,
                        "name " + productId,
                        "home",
                        start,
                        start + 5 * MINUTE,
                        units,
                        isFinal);
        return state.apply(
                Topic.UNITS_PER_PRODUCT_5M.topicName(),
                utf8(OutputJson.windowKey(productId, start)),
                OutputJson.productWindowUnits(u));
    }

    private boolean regionMinute(String region, int minute, long units) {
        return regionMinute(region, minute, units, true);
    }

    private boolean regionMinute(String region, int minute, long units, boolean isFinal) {
        long start = T0.toEpochMilli() + minute * MINUTE;
        RegionMinute m =
                new RegionMinute(region, start, start + MINUTE, units, units * 100, isFinal);
        return state.apply(
                Topic.REGION_TREND_1M.topicName(),
                utf8(OutputJson.windowKey(region, start)),
                OutputJson.regionMinute(m));
    }

    private void seller(String sellerId, int minute, long revenueCents) {
        seller(sellerId, minute, revenueCents, true);
    }

    private void seller(String sellerId, int minute, long revenueCents, boolean isFinal) {
        long start = T0.toEpochMilli() + minute * MINUTE;
        SellerMinute m =
                new SellerMinute(sellerId, start, start + MINUTE, 1, 1, revenueCents, isFinal);
        state.apply(
                Topic.REVENUE_PER_SELLER_1M.topicName(),
                utf8(OutputJson.windowKey(sellerId, start)),
                OutputJson.sellerMinute(m));
    }

    private boolean apply(String topic, String key, String json) {
        return state.apply(topic, key, json.getBytes(StandardCharsets.UTF_8));
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static BigDecimal eur(String amount) {
        return new BigDecimal(amount);
    }
}
