package com.salesaggregator.output;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.salesaggregator.topics.Topic;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * How a published output value (JSON, as documented in docs/schemas.md) reads as a {@link
 * ReferenceModel} figure. Strict: a value with a missing or an extra field is rejected, so that the
 * comparison never passes on a value it could not read whole.
 *
 * <p>A windowed output's value also carries {@value #FINAL} (a boolean): whether the figure is the
 * window's final one or the open window's provisional one. The figure read leaves it out (the
 * reference model has final figures only); {@link #isFinal} reads it.
 *
 * @param topic the default name of the output topic
 * @param fields exactly the fields of a value's figure
 * @param reader builds the figure from a value with exactly those fields
 * @param windowed whether a value also carries {@value #FINAL}
 */
public record OutputFormat<T>(
        String topic, Set<String> fields, Function<JsonNode, T> reader, boolean windowed) {

    /** The field of a windowed value that says whether its figure is final. */
    public static final String FINAL = "final";

    /**
     * Reads output values as published: decimals as {@link java.math.BigDecimal} with their scale
     * kept ("12.30" stays 12.30: money carries exactly two places, and the check compares scale).
     */
    public static final ObjectMapper JSON =
            JsonMapper.builder()
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                    .build();

    public static final OutputFormat<SellerMinute> REVENUE_PER_SELLER =
            new OutputFormat<>(
                    Topic.REVENUE_PER_SELLER_1M.topicName(),
                    Set.of(
                            "seller_id",
                            "window_start",
                            "window_end",
                            "orders",
                            "units",
                            "revenue_eur"),
                    v ->
                            new SellerMinute(
                                    v.path("seller_id").asText(),
                                    v.path("window_start").asText(),
                                    v.path("window_end").asText(),
                                    v.path("orders").asLong(),
                                    v.path("units").asLong(),
                                    v.path("revenue_eur").decimalValue()),
                    true);

    public static final OutputFormat<ProductWindow> UNITS_PER_PRODUCT =
            new OutputFormat<>(
                    Topic.UNITS_PER_PRODUCT_5M.topicName(),
                    Set.of("product_id", "name", "category", "window_start", "window_end", "units"),
                    v ->
                            new ProductWindow(
                                    v.path("product_id").asText(),
                                    v.path("name").asText(),
                                    v.path("category").asText(),
                                    v.path("window_start").asText(),
                                    v.path("window_end").asText(),
                                    v.path("units").asLong()),
                    true);

    public static final OutputFormat<RegionMinute> REGION_TREND =
            new OutputFormat<>(
                    Topic.REGION_TREND_1M.topicName(),
                    Set.of("region", "window_start", "window_end", "units", "revenue_eur"),
                    v ->
                            new RegionMinute(
                                    v.path("region").asText(),
                                    v.path("window_start").asText(),
                                    v.path("window_end").asText(),
                                    v.path("units").asLong(),
                                    v.path("revenue_eur").decimalValue()),
                    true);

    public static final OutputFormat<ProductTotal> REVENUE_PER_PRODUCT =
            new OutputFormat<>(
                    Topic.REVENUE_PER_PRODUCT.topicName(),
                    Set.of("product_id", "name", "units", "revenue_eur", "margin_eur"),
                    v ->
                            new ProductTotal(
                                    v.path("product_id").asText(),
                                    v.path("name").asText(),
                                    v.path("units").asLong(),
                                    v.path("revenue_eur").decimalValue(),
                                    v.path("margin_eur").decimalValue()),
                    false);

    public static final OutputFormat<RegionTotal> SALES_PER_REGION =
            new OutputFormat<>(
                    Topic.SALES_PER_REGION.topicName(),
                    Set.of("region", "units", "revenue_eur"),
                    v ->
                            new RegionTotal(
                                    v.path("region").asText(),
                                    v.path("units").asLong(),
                                    v.path("revenue_eur").decimalValue()),
                    false);

    /**
     * The figure in {@code value}.
     *
     * @throws IllegalArgumentException if its fields are not exactly {@link #fields()} (and a
     *     boolean {@value #FINAL} if the output is windowed)
     */
    public T read(String key, JsonNode value) {
        Set<String> names = new TreeSet<>();
        value.fieldNames().forEachRemaining(names::add);
        Set<String> expected = new TreeSet<>(fields);
        if (windowed) {
            expected.add(FINAL);
        }
        if (!names.equals(expected) || windowed && !value.path(FINAL).isBoolean()) {
            throw new IllegalArgumentException(
                    "fields of "
                            + topic
                            + " "
                            + key
                            + " are "
                            + names
                            + ", expected "
                            + expected
                            + (windowed ? " with a boolean " + FINAL : ""));
        }
        return reader.apply(value);
    }

    /** Whether {@code value} is a final figure: always, unless the output is windowed. */
    public boolean isFinal(JsonNode value) {
        return !windowed || value.path(FINAL).asBoolean(false);
    }

    /**
     * This format for a publisher that publishes final figures only and without {@value #FINAL}
     * (the benchmark's Flink SQL and Kafka Streams peers).
     */
    public OutputFormat<T> finalOnly() {
        return new OutputFormat<>(topic, fields, reader, false);
    }
}
