package com.salesaggregator.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.salesaggregator.job.functions.Money;
import com.salesaggregator.job.kafka.OutputJson;
import com.salesaggregator.job.records.RunningTotal;
import com.salesaggregator.job.records.SaleInput;
import com.salesaggregator.output.OutputFormat;
import com.salesaggregator.topics.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A later version of the job, as an upgrade would deploy it, restored from the current version's
 * savepoint: it adds a stateless operator (an audit step counting the sales each source emits, with
 * a uid of its own) and an optional output field ({@value #AVERAGE_PRICE} in {@code
 * revenue-per-product}: revenue divided by units, half-even to cents). Every stateful operator
 * keeps its uid, so its state maps over.
 */
final class NextJobVersion {

    /** The added optional field of {@code revenue-per-product}. */
    static final String AVERAGE_PRICE = "average_unit_price_eur";

    /** The name of the added operator, as it shows in the job graph. */
    static final String AUDIT = "Audit sales (added in the next version)";

    private NextJobVersion() {}

    /** Puts the next version of the job on {@code env} (the counterpart of {@code define}). */
    static void define(StreamExecutionEnvironment env, JobConfig config) {
        JobEnvironment.configure(env, config);
        SalesTopology.Sources sources = KafkaConnectors.sources(env, config);
        SalesTopology.Sources audited =
                new SalesTopology.Sources(
                        audit(sources.online(), config.topics().of(Topic.SALES_ONLINE)),
                        audit(sources.store(), config.topics().of(Topic.SALES_STORE)),
                        sources.products(),
                        sources.fxRates());
        SalesTopology.Sinks sinks = KafkaConnectors.sinks(config);
        SalesTopology.Sinks withAveragePrice =
                new SalesTopology.Sinks(
                        sinks.revenuePerSeller(),
                        sinks.unitsPerProduct(),
                        KafkaConnectors.sink(
                                config,
                                config.topics().of(Topic.REVENUE_PER_PRODUCT),
                                (RunningTotal t) -> OutputJson.utf8(t.key()),
                                NextJobVersion::productTotal),
                        sinks.salesPerRegion(),
                        sinks.regionTrend(),
                        sinks.deadLetters(),
                        sinks.late());
        SalesTopology.build(audited, withAveragePrice, config);
    }

    private static DataStream<SaleInput> audit(DataStream<SaleInput> sales, String topic) {
        return sales.map(new SaleAudit()).uid("audit-" + topic).name(AUDIT);
    }

    /** The current version's value with the added field. */
    static byte[] productTotal(RunningTotal total) {
        try {
            ObjectNode value =
                    (ObjectNode) OutputFormat.JSON.readTree(OutputJson.productTotal(total));
            value.put(
                    AVERAGE_PRICE,
                    averagePrice(Money.fromCents(total.revenueCents()), total.units()));
            return OutputFormat.JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the added field must hold for a value's revenue and units. */
    static BigDecimal averagePrice(BigDecimal revenueEur, long units) {
        return revenueEur.divide(BigDecimal.valueOf(units), 2, RoundingMode.HALF_EVEN);
    }

    /** Passes sales on unchanged and counts them (metric {@code auditedSales}); no state. */
    static final class SaleAudit extends RichMapFunction<SaleInput, SaleInput> {

        private transient Counter audited;

        @Override
        public void open(OpenContext context) {
            audited = getRuntimeContext().getMetricGroup().counter("auditedSales");
        }

        @Override
        public SaleInput map(SaleInput sale) {
            audited.inc();
            return sale;
        }
    }
}
