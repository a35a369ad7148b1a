package com.salesaggregator.job;

import com.salesaggregator.job.records.FxRateInput;
import com.salesaggregator.job.records.ProductInput;
import com.salesaggregator.job.records.SaleInput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The watermark strategies of the four sources, over valid events only (a rejected record, whatever
 * its timestamp, never moves a watermark), with idleness so that an idle partition never stalls the
 * windows. Sales have bounded out-of-orderness; reference data have none: a reference partition's
 * watermark is the latest heartbeat time or effective time seen on it ({@link
 * ReferenceWatermarkGenerator}), so that reference data that change rarely never hold the sales
 * back.
 */
public final class JobWatermarks {

    private JobWatermarks() {}

    public static WatermarkStrategy<SaleInput> sales(JobConfig config) {
        return WatermarkStrategy.<SaleInput>forBoundedOutOfOrderness(config.outOfOrderness())
                .withTimestampAssigner(
                        (input, recordTimestamp) ->
                                input.line() != null ? input.line().eventTime() : Long.MIN_VALUE)
                .withIdleness(config.idleness());
    }

    public static WatermarkStrategy<ProductInput> products(JobConfig config) {
        return WatermarkStrategy.<ProductInput>forGenerator(
                        context -> new ReferenceWatermarkGenerator<>(JobWatermarks::settledUpTo))
                .withTimestampAssigner((input, recordTimestamp) -> timeOf(input))
                .withIdleness(config.idleness());
    }

    public static WatermarkStrategy<FxRateInput> fxRates(JobConfig config) {
        return WatermarkStrategy.<FxRateInput>forGenerator(
                        context -> new ReferenceWatermarkGenerator<>(JobWatermarks::settledUpTo))
                .withTimestampAssigner((input, recordTimestamp) -> timeOf(input))
                .withIdleness(config.idleness());
    }

    /** A change's effective time, a heartbeat's time, or none for a rejected record. */
    private static long timeOf(ProductInput input) {
        if (input.change() != null) {
            return input.change().validFrom();
        }
        return input.heartbeat() != null ? input.heartbeat() : Long.MIN_VALUE;
    }

    private static long timeOf(FxRateInput input) {
        if (input.rate() != null) {
            return input.rate().validFrom().toEpochMilli();
        }
        return input.heartbeat() != null ? input.heartbeat() : Long.MIN_VALUE;
    }

    /**
     * How far a products element lets the watermark go: see {@link ReferenceWatermarkGenerator}.
     */
    private static Long settledUpTo(ProductInput input) {
        if (input.heartbeat() != null) {
            return input.heartbeat();
        }
        return input.change() != null ? input.change().validFrom() - 1 : Long.MIN_VALUE;
    }

    private static Long settledUpTo(FxRateInput input) {
        if (input.heartbeat() != null) {
            return input.heartbeat();
        }
        return input.rate() != null ? input.rate().validFrom().toEpochMilli() - 1 : Long.MIN_VALUE;
    }
}
