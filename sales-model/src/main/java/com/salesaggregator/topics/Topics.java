package com.salesaggregator.topics;

import java.util.List;

/**
 * The names of the Kafka topics; {@code TopicDefinitionsTest} ties them to {@code
 * k8s/topics/topics.yaml}, where partitions, replicas and configs are defined.
 */
public final class Topics {

    /** Online orders (input). */
    public static final String SALES_ONLINE = "sales-online";

    /** Store receipts (input). */
    public static final String SALES_STORE = "sales-store";

    /** Product catalog versions, compacted by product id (input). */
    public static final String PRODUCTS = "products";

    /** Currency rates to EUR, compacted by currency (input). */
    public static final String FX_RATES = "fx-rates";

    /** Revenue per seller per one-minute window (output). */
    public static final String REVENUE_PER_SELLER_1M = "revenue-per-seller-1m";

    /** Units sold per product per five-minute window (output). */
    public static final String UNITS_PER_PRODUCT_5M = "units-per-product-5m";

    /** Running revenue per product (output). */
    public static final String REVENUE_PER_PRODUCT = "revenue-per-product";

    /** Running sales per region (output). */
    public static final String SALES_PER_REGION = "sales-per-region";

    /** Sales per region per one-minute window (output). */
    public static final String REGION_TREND_1M = "region-trend-1m";

    /** Input that could not be parsed or enriched (side output). */
    public static final String SALES_DLQ = "sales-dlq";

    /** Sales that arrived after their window closed (side output). */
    public static final String SALES_LATE = "sales-late";

    /** Every topic, inputs first. */
    public static final List<String> ALL =
            List.of(
                    SALES_ONLINE,
                    SALES_STORE,
                    PRODUCTS,
                    FX_RATES,
                    REVENUE_PER_SELLER_1M,
                    UNITS_PER_PRODUCT_5M,
                    REVENUE_PER_PRODUCT,
                    SALES_PER_REGION,
                    REGION_TREND_1M,
                    SALES_DLQ,
                    SALES_LATE);

    private Topics() {}
}
