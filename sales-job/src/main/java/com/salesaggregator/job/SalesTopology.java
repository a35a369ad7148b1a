package com.salesaggregator.job;

import com.salesaggregator.job.functions.DeadLetterRouter;
import com.salesaggregator.job.functions.DeadLetters;
import com.salesaggregator.job.functions.KeyAndMinute;
import com.salesaggregator.job.functions.LatenessRouter;
import com.salesaggregator.job.functions.LinesInRange;
import com.salesaggregator.job.functions.PreAggregator;
import com.salesaggregator.job.functions.ProvisionalTrigger;
import com.salesaggregator.job.functions.RegionMinuteAggregate;
import com.salesaggregator.job.functions.RunningTotals;
import com.salesaggregator.job.functions.SaleIdentity;
import com.salesaggregator.job.functions.SalePricing;
import com.salesaggregator.job.functions.SellerMinuteAggregate;
import com.salesaggregator.job.functions.SlidingUnitsAssembler;
import com.salesaggregator.job.records.FxRateInput;
import com.salesaggregator.job.records.LateLine;
import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.job.records.PricedLine;
import com.salesaggregator.job.records.ProductChange;
import com.salesaggregator.job.records.ProductInput;
import com.salesaggregator.job.records.ProductWindowUnits;
import com.salesaggregator.job.records.ReferenceChange;
import com.salesaggregator.job.records.RegionMinute;
import com.salesaggregator.job.records.RunningTotal;
import com.salesaggregator.job.records.SaleInput;
import com.salesaggregator.job.records.SellerMinute;
import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.SaleLine;
import com.salesaggregator.output.DeadLetter;
import com.salesaggregator.topics.Topic;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * The aggregation pipeline as a function of its sources and sinks: decode and split the sales,
 * then, in one stage keyed by sale identity with the reference data broadcast ({@link
 * SalePricing}), drop upstream resends and price each line with the catalog and the FX rate in
 * force at its event time; decide lateness once (chained), then fan out to the five aggregates.
 * Nothing is keyed by product or currency before the aggregates, so the pricing stage scales out
 * with the number of sales, whatever their currency mix. {@code main()} wires it to Kafka; tests
 * can wire it to anything.
 *
 * <p>Every stateful operator has a stable {@code uid()}: savepoints map state by these ids, so they
 * must never change. An operator whose state a change makes unreadable gets a new uid instead, and
 * a stateless step keeps the old one ({@link #keepRetiredUid}), so that {@link SalePricing} can
 * refuse a savepoint of the earlier state layout with a message that says what to do.
 */
public final class SalesTopology {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private SalesTopology() {}

    /**
     * The inputs, each with its watermark strategy applied ({@link JobWatermarks}).
     *
     * @param online decoded online orders
     * @param store decoded store receipts, already one element per line
     * @param products catalog changes
     * @param fxRates exchange rates
     */
    public record Sources(
            DataStream<SaleInput> online,
            DataStream<SaleInput> store,
            DataStream<ProductInput> products,
            DataStream<FxRateInput> fxRates) {}

    /** The outputs, one sink per topic. */
    public record Sinks(
            Sink<SellerMinute> revenuePerSeller,
            Sink<ProductWindowUnits> unitsPerProduct,
            Sink<RunningTotal> revenuePerProduct,
            Sink<RunningTotal> salesPerRegion,
            Sink<RegionMinute> regionTrend,
            Sink<DeadLetter> deadLetters,
            Sink<LateLine> late) {}

    /**
     * The on-time lines combined per key (and minute) for one aggregate, chained after the lateness
     * decision and flushed before every watermark and checkpoint barrier ({@link PreAggregator}):
     * what crosses the network to the aggregate. Holds no state; the uid keeps it stable anyway.
     */
    private static SingleOutputStreamOperator<LinePartial> preAggregate(
            DataStream<PricedLine> onTime, PreAggregator.Dimension dimension, String name) {
        return onTime.transform(
                        "Pre-aggregate per " + name.replace('-', ' '),
                        TypeInformation.of(LinePartial.class),
                        new PreAggregator(dimension))
                .uid("pre-aggregate-" + name);
    }

    /**
     * The valid lines of one sales source, its undecodable records to the dead letters: chained to
     * the source, so a line is serialized for the first time at the keyed exchange that follows.
     */
    private static SingleOutputStreamOperator<SaleLine> splitSales(
            DataStream<SaleInput> sales, String channel, String topic) {
        return sales.process(
                        new DeadLetterRouter<SaleInput, SaleLine>(
                                SaleInput::line, SaleInput::rejected))
                .returns(TypeInformation.of(SaleLine.class))
                .uid("split-sales-" + channel)
                .name("Sale lines / undecodable " + topic);
    }

    /**
     * The lines of a backfill's range ({@link LinesInRange}), chained after the split; the live job
     * takes every line, with no step in between.
     */
    private static DataStream<SaleLine> inRange(
            DataStream<SaleLine> lines, String channel, JobConfig config) {
        if (!config.isBackfill()) {
            return lines;
        }
        return lines.filter(new LinesInRange(config.backfill()))
                .uid("backfill-range-" + channel)
                .name("Lines in the backfill range");
    }

    /**
     * A stateless step that passes every record on and keeps {@code uid}, the uid of a stateful
     * operator of an earlier state layout that one with a uid of its own replaced: a savepoint of
     * that layout maps onto this job (the step has no keyed state backend, so the old operator's
     * keyed state is not even read), and {@link SalePricing} refuses it with a message that says
     * what to do. Had the new operator kept the uid, it would fail on restore itself (its key
     * serializer cannot read the old keys) in tasks of its own: that failure races the refusal, and
     * when it comes first the job restarts, again and again, instead of failing at once.
     */
    private static <T> SingleOutputStreamOperator<T> keepRetiredUid(
            DataStream<T> stream, String uid) {
        return stream.filter(record -> true).uid(uid).name("Retired uid " + uid);
    }

    /** Adds the pipeline from {@code sources} to {@code sinks} to their environment. */
    public static void build(Sources sources, Sinks sinks, JobConfig config) {
        DeadLetters.SourceTopics sourceTopics =
                new DeadLetters.SourceTopics(
                        config.topics().of(Topic.SALES_ONLINE),
                        config.topics().of(Topic.SALES_STORE));

        SingleOutputStreamOperator<SaleLine> onlineLines =
                splitSales(sources.online(), "online", config.topics().of(Topic.SALES_ONLINE));
        SingleOutputStreamOperator<SaleLine> storeLines =
                splitSales(sources.store(), "store", config.topics().of(Topic.SALES_STORE));
        SingleOutputStreamOperator<ProductChange> products =
                sources.products()
                        .process(
                                new DeadLetterRouter<ProductInput, ProductChange>(
                                        ProductInput::change, ProductInput::rejected))
                        .returns(TypeInformation.of(ProductChange.class))
                        .uid("split-products")
                        .name("Catalog changes / undecodable products");
        SingleOutputStreamOperator<FxRate> rates =
                sources.fxRates()
                        .process(
                                new DeadLetterRouter<FxRateInput, FxRate>(
                                        FxRateInput::rate, FxRateInput::rejected))
                        .returns(TypeInformation.of(FxRate.class))
                        .uid("split-fx-rates")
                        .name("FX rates / undecodable rates");
        // Stateless, chained to their sources; their uids are those of the keyed stages that
        // SalePricing replaced (SalePricing.RETIRED_UIDS), so that a savepoint of that layout
        // maps onto this job and SalePricing can refuse it with a message that says what to do,
        // rather than Flink refusing it for state it cannot map.
        DataStream<ReferenceChange> references =
                products.map(ReferenceChange::of)
                        .returns(TypeInformation.of(ReferenceChange.class))
                        .uid(SalePricing.RETIRED_UIDS.get(0))
                        .name("Catalog changes as reference data")
                        .union(
                                rates.map(ReferenceChange::of)
                                        .returns(TypeInformation.of(ReferenceChange.class))
                                        .uid(SalePricing.RETIRED_UIDS.get(1))
                                        .name("FX rates as reference data"));

        // The one keyed exchange before the aggregates: a resend counts nowhere, whatever became
        // of its original; every subtask holds every reference version.
        SingleOutputStreamOperator<PricedLine> priced =
                inRange(onlineLines, "online", config)
                        .union(inRange(storeLines, "store", config))
                        .keyBy(new SaleIdentity(), SaleIdentity.KEY_TYPE)
                        .connect(references.broadcast())
                        .transform(
                                "Dedup, catalog and EUR at event time",
                                TypeInformation.of(PricedLine.class),
                                new SalePricing(
                                        config.dedupHorizon(),
                                        config.referenceGrace(),
                                        config.allowedLateness(),
                                        sourceTopics))
                        .uid("dedup-sales");
        SingleOutputStreamOperator<PricedLine> onTime =
                priced.transform(
                                "On time / late",
                                TypeInformation.of(PricedLine.class),
                                new LatenessRouter(config.allowedLateness()))
                        .uid("lateness-router")
                        .name("On time / late");

        Duration lateness = config.allowedLateness();
        // Open windows publish provisional figures at the running totals' cadence; closed ones
        // final figures (PRODUCT.md, "Provisional and final window figures").
        ProvisionalTrigger provisional = new ProvisionalTrigger(config.emitInterval());
        // The one-minute windows are keyed by key and minute since state layout 3; their uids
        // of layout 2 (keyed by the key alone) are kept by stateless steps.
        DataStream<SellerMinute> sellerMinutes =
                preAggregate(onTime, PreAggregator.Dimension.SELLER_MINUTE, "seller-minute")
                        .keyBy(new KeyAndMinute())
                        .window(TumblingEventTimeWindows.of(MINUTE))
                        .trigger(provisional)
                        .allowedLateness(lateness)
                        .aggregate(
                                new SellerMinuteAggregate(),
                                new SellerMinuteAggregate.ToSellerMinute())
                        .uid("revenue-per-seller-1m-by-key-and-minute")
                        .name("Revenue per seller per minute");
        keepRetiredUid(sellerMinutes, "revenue-per-seller-1m")
                .sinkTo(sinks.revenuePerSeller())
                .uid("sink-revenue-per-seller-1m")
                .name("Sink: " + config.topics().of(Topic.REVENUE_PER_SELLER_1M));

        // The sliding windows build their one-minute panes themselves since state layout 4; the
        // uids of the pane windows of layouts 2 and 3 are kept by stateless steps.
        DataStream<LinePartial> productMinutes =
                keepRetiredUid(
                        keepRetiredUid(
                                preAggregate(
                                        onTime,
                                        PreAggregator.Dimension.PRODUCT_MINUTE,
                                        "product-minute"),
                                "product-panes-1m-by-key-and-minute"),
                        "product-panes-1m");
        productMinutes
                .keyBy(LinePartial::key)
                .process(new SlidingUnitsAssembler(lateness, config.emitInterval()))
                .uid("units-per-product-5m")
                .name("Units per product, 5 min every 1 min")
                .sinkTo(sinks.unitsPerProduct())
                .uid("sink-units-per-product-5m")
                .name("Sink: " + config.topics().of(Topic.UNITS_PER_PRODUCT_5M));

        DataStream<RegionMinute> regionMinutes =
                preAggregate(onTime, PreAggregator.Dimension.REGION_MINUTE, "region-minute")
                        .keyBy(new KeyAndMinute())
                        .window(TumblingEventTimeWindows.of(MINUTE))
                        .trigger(provisional)
                        .allowedLateness(lateness)
                        .aggregate(
                                new RegionMinuteAggregate(),
                                new RegionMinuteAggregate.ToRegionMinute())
                        .uid("region-trend-1m-by-key-and-minute")
                        .name("Units and revenue per region per minute");
        keepRetiredUid(regionMinutes, "region-trend-1m")
                .sinkTo(sinks.regionTrend())
                .uid("sink-region-trend-1m")
                .name("Sink: " + config.topics().of(Topic.REGION_TREND_1M));

        preAggregate(onTime, PreAggregator.Dimension.PRODUCT, "product")
                .keyBy(LinePartial::key)
                .process(new RunningTotals(RunningTotals.Dimension.PRODUCT, config.emitInterval()))
                .uid("revenue-per-product")
                .name("Running totals per product")
                .sinkTo(sinks.revenuePerProduct())
                .uid("sink-revenue-per-product")
                .name("Sink: " + config.topics().of(Topic.REVENUE_PER_PRODUCT));

        preAggregate(onTime, PreAggregator.Dimension.REGION, "region")
                .keyBy(LinePartial::key)
                .process(new RunningTotals(RunningTotals.Dimension.REGION, config.emitInterval()))
                .uid("sales-per-region")
                .name("Running totals per region")
                .sinkTo(sinks.salesPerRegion())
                .uid("sink-sales-per-region")
                .name("Sink: " + config.topics().of(Topic.SALES_PER_REGION));

        onlineLines
                .getSideOutput(DeadLetters.TAG)
                .union(
                        storeLines.getSideOutput(DeadLetters.TAG),
                        products.getSideOutput(DeadLetters.TAG),
                        rates.getSideOutput(DeadLetters.TAG),
                        priced.getSideOutput(DeadLetters.TAG))
                .sinkTo(sinks.deadLetters())
                .uid("sink-sales-dlq")
                .name("Sink: " + config.topics().of(Topic.SALES_DLQ));

        onTime.getSideOutput(LatenessRouter.LATE)
                .sinkTo(sinks.late())
                .uid("sink-sales-late")
                .name("Sink: " + config.topics().of(Topic.SALES_LATE));
    }
}
