package com.salesaggregator.job.kafka;

import com.salesaggregator.job.functions.Money;
import com.salesaggregator.job.records.LateLine;
import com.salesaggregator.job.records.PricedLine;
import com.salesaggregator.job.records.ProductWindowUnits;
import com.salesaggregator.job.records.RegionMinute;
import com.salesaggregator.job.records.RunningTotal;
import com.salesaggregator.job.records.SellerMinute;
import com.salesaggregator.model.SaleLine;
import com.salesaggregator.output.DeadLetter;
import com.salesaggregator.output.OutputCodec;
import com.salesaggregator.output.ProductTotal;
import com.salesaggregator.output.ProductWindow;
import com.salesaggregator.output.RegionTotal;

/**
 * The job's output records (epoch millis, EUR cents: cheap in Flink's exchanges and state) as the
 * published records of sales-model, keyed and written by {@link OutputCodec}: one static method per
 * sink key and value, so a sink's functions capture nothing.
 */
public final class OutputRecords {

    private OutputRecords() {}

    private static com.salesaggregator.output.SellerMinute sellerMinute(SellerMinute m) {
        return new com.salesaggregator.output.SellerMinute(
                m.sellerId(),
                OutputCodec.time(m.windowStart()),
                OutputCodec.time(m.windowEnd()),
                m.orders(),
                m.units(),
                Money.fromCents(m.revenueCents()),
                m.isFinal());
    }

    private static ProductWindow productWindow(ProductWindowUnits u) {
        return new ProductWindow(
                u.productId(),
                u.name(),
                u.category(),
                OutputCodec.time(u.windowStart()),
                OutputCodec.time(u.windowEnd()),
                u.units(),
                u.isFinal());
    }

    private static ProductTotal productTotal(RunningTotal t) {
        return new ProductTotal(
                t.key(),
                t.name(),
                t.units(),
                Money.fromCents(t.revenueCents()),
                Money.fromCents(t.marginCents()));
    }

    private static RegionTotal regionTotal(RunningTotal t) {
        return new RegionTotal(t.key(), t.units(), Money.fromCents(t.revenueCents()));
    }

    private static com.salesaggregator.output.RegionMinute regionMinute(RegionMinute m) {
        return new com.salesaggregator.output.RegionMinute(
                m.region(),
                OutputCodec.time(m.windowStart()),
                OutputCodec.time(m.windowEnd()),
                m.units(),
                Money.fromCents(m.revenueCents()),
                m.isFinal());
    }

    private static com.salesaggregator.output.LateLine lateLine(LateLine late) {
        PricedLine p = late.line();
        SaleLine line = p.line();
        return new com.salesaggregator.output.LateLine(
                line.lineId(),
                line.channel(),
                line.orderId(),
                line.sellerId(),
                line.storeId(),
                line.region(),
                line.productId(),
                line.quantity(),
                line.unitPrice(),
                line.currency(),
                OutputCodec.time(line.eventTime()),
                p.productName(),
                p.category(),
                p.eurPerUnit(),
                Money.fromCents(p.revenueCents()),
                Money.fromCents(p.marginCents()),
                OutputCodec.time(late.watermark()),
                OutputCodec.time(late.windowStart()),
                OutputCodec.time(late.windowEnd()));
    }

    public static byte[] sellerMinuteKey(SellerMinute m) {
        return windowKey(m.sellerId(), m.windowStart());
    }

    public static byte[] sellerMinuteValue(SellerMinute m) {
        return OutputCodec.REVENUE_PER_SELLER.value(sellerMinute(m));
    }

    public static byte[] productWindowKey(ProductWindowUnits u) {
        return windowKey(u.productId(), u.windowStart());
    }

    public static byte[] productWindowValue(ProductWindowUnits u) {
        return OutputCodec.UNITS_PER_PRODUCT.value(productWindow(u));
    }

    /** Key of a running total: the product id or the region. */
    public static byte[] totalKey(RunningTotal t) {
        return utf8(t.key());
    }

    public static byte[] productTotalValue(RunningTotal t) {
        return OutputCodec.REVENUE_PER_PRODUCT.value(productTotal(t));
    }

    public static byte[] regionTotalValue(RunningTotal t) {
        return OutputCodec.SALES_PER_REGION.value(regionTotal(t));
    }

    public static byte[] regionMinuteKey(RegionMinute m) {
        return windowKey(m.region(), m.windowStart());
    }

    public static byte[] regionMinuteValue(RegionMinute m) {
        return OutputCodec.REGION_TREND.value(regionMinute(m));
    }

    public static byte[] deadLetterKey(DeadLetter d) {
        return OutputCodec.DEAD_LETTERS.key(d);
    }

    public static byte[] deadLetterValue(DeadLetter d) {
        return OutputCodec.DEAD_LETTERS.value(d);
    }

    public static byte[] lateLineKey(LateLine l) {
        return utf8(l.line().line().lineId());
    }

    public static byte[] lateLineValue(LateLine l) {
        return OutputCodec.LATE_LINES.value(lateLine(l));
    }

    private static byte[] windowKey(String dimension, long windowStart) {
        return utf8(OutputCodec.windowKey(dimension, OutputCodec.time(windowStart)));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
