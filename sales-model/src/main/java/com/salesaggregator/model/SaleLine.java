package com.salesaggregator.model;

import com.salesaggregator.model.serialization.SaleLineTypeInfo;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One sale line, the same shape for both channels: what the job enriches, converts and aggregates.
 *
 * @param lineId stable id: the order id, or {@code receipt_id#<index>} for a receipt line
 * @param channel where the line came from
 * @param orderId the order or receipt the line belongs to (distinct orders are counted by it)
 * @param sellerId the seller
 * @param storeId the store, or null for online orders
 * @param region the sales region
 * @param productId the product sold
 * @param quantity units, at least 1
 * @param unitPrice price of one unit in {@code currency}
 * @param currency ISO 4217 code of {@code unitPrice}
 * @param eventTime event time in epoch milliseconds (UTC)
 * @param sourcePartition partition of the input record the line came from
 * @param sourceOffset offset of that record, so a rejected line can be traced to it
 */
// Flink serializes it with SaleLineSerializer: it crosses three keyed exchanges. (Outside Flink, in
// the seeder, the annotation's class is absent and the JVM ignores it.)
@TypeInfo(SaleLineTypeInfo.Factory.class)
public record SaleLine(
        String lineId,
        Channel channel,
        String orderId,
        String sellerId,
        String storeId,
        String region,
        String productId,
        int quantity,
        BigDecimal unitPrice,
        String currency,
        long eventTime,
        int sourcePartition,
        long sourceOffset) {

    /** Separates the receipt id from the line index in a store line id. */
    public static final char LINE_INDEX_SEPARATOR = '#';

    /** The one sale line of an online order read from the given partition and offset. */
    public static SaleLine of(OnlineOrder order, int partition, long offset) {
        return new SaleLine(
                order.orderId(),
                Channel.ONLINE,
                order.orderId(),
                order.sellerId(),
                null,
                order.region(),
                order.productId(),
                order.quantity(),
                order.unitPrice(),
                order.currency(),
                order.eventTime().toEpochMilli(),
                partition,
                offset);
    }

    /**
     * The lines of a store receipt read from the given partition and offset, in receipt order, with
     * ids {@code receipt_id#0, #1, ...}.
     */
    public static List<SaleLine> of(StoreReceipt receipt, int partition, long offset) {
        List<SaleLine> lines = new ArrayList<>(receipt.lines().size());
        long eventTime = receipt.eventTime().toEpochMilli();
        for (int i = 0; i < receipt.lines().size(); i++) {
            ReceiptLine line = receipt.lines().get(i);
            lines.add(
                    new SaleLine(
                            receipt.receiptId() + LINE_INDEX_SEPARATOR + i,
                            Channel.STORE,
                            receipt.receiptId(),
                            receipt.sellerId(),
                            receipt.storeId(),
                            receipt.region(),
                            line.productId(),
                            line.quantity(),
                            line.unitPrice(),
                            receipt.currency(),
                            eventTime,
                            partition,
                            offset));
        }
        return lines;
    }
}
