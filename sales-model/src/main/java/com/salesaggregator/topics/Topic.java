package com.salesaggregator.topics;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every Kafka topic of the product, declared once: the job, the seeder, the dashboard, the local
 * platform and the checks read this list. Partitions, replicas and configs are defined in {@code
 * k8s/topics/topics.yaml} ({@link TopicDefinitions}); {@code TopicDefinitionsTest} checks that the
 * file declares exactly these names.
 */
public enum Topic {
    /** Online orders. */
    SALES_ONLINE("sales-online", Role.SALES),
    /** Store receipts. */
    SALES_STORE("sales-store", Role.SALES),
    /** Product catalog versions, compacted by product id. */
    PRODUCTS("products", Role.REFERENCE),
    /** Currency rates to EUR, compacted by currency. */
    FX_RATES("fx-rates", Role.REFERENCE),
    /** Revenue per seller per one-minute window. */
    REVENUE_PER_SELLER_1M("revenue-per-seller-1m", Role.FIGURES),
    /** Units sold per product per five-minute window, sliding by one minute. */
    UNITS_PER_PRODUCT_5M("units-per-product-5m", Role.FIGURES),
    /** Running revenue per product. */
    REVENUE_PER_PRODUCT("revenue-per-product", Role.FIGURES),
    /** Running sales per region. */
    SALES_PER_REGION("sales-per-region", Role.FIGURES),
    /** Sales per region per one-minute window. */
    REGION_TREND_1M("region-trend-1m", Role.FIGURES),
    /** Input that could not be parsed or enriched, with a reason. */
    SALES_DLQ("sales-dlq", Role.REJECTS),
    /** Sales lines that arrived after their window closed. */
    SALES_LATE("sales-late", Role.REJECTS);

    /** What a topic holds, and so who writes it. */
    public enum Role {
        /** Sales lines, written by the seeder (or any producer), read by the job. */
        SALES,
        /** Reference data (catalog, rates) with heartbeats, read by the job. */
        REFERENCE,
        /** Figures the job publishes exactly once. */
        FIGURES,
        /** Records the job set aside (dead letters, late lines), published exactly once. */
        REJECTS
    }

    private final String topicName;
    private final Role role;

    Topic(String topicName, Role role) {
        this.topicName = topicName;
        this.role = role;
    }

    /** The topic's name on the broker (the job may be told another name: {@code topic.<name>}). */
    public String topicName() {
        return topicName;
    }

    /** What the topic holds. */
    public Role role() {
        return role;
    }

    /** An input of the job (sales or reference data). */
    public boolean isInput() {
        return role == Role.SALES || role == Role.REFERENCE;
    }

    /** Written by the job (figures, dead letters, late lines). */
    public boolean isOutput() {
        return !isInput();
    }

    /** The topic of this name, if it is one of the product's. */
    public static Optional<Topic> byName(String topicName) {
        return Arrays.stream(values()).filter(t -> t.topicName.equals(topicName)).findFirst();
    }

    /** Every topic name, inputs first, in declaration order. */
    public static List<String> names() {
        return Arrays.stream(values()).map(Topic::topicName).toList();
    }

    /** The names of the topics with one of these roles, in declaration order. */
    public static List<String> names(Role... roles) {
        List<Role> wanted = List.of(roles);
        return Arrays.stream(values())
                .filter(t -> wanted.contains(t.role))
                .map(Topic::topicName)
                .toList();
    }

    /** The topics the job reads. */
    public static List<Topic> inputs() {
        return Arrays.stream(values()).filter(Topic::isInput).toList();
    }

    /** The topics the job writes. */
    public static List<Topic> outputs() {
        return Arrays.stream(values()).filter(Topic::isOutput).toList();
    }

    @Override
    public String toString() {
        return topicName;
    }
}
