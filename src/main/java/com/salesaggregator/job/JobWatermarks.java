package com.salesaggregator.job;

import com.salesaggregator.job.records.FxRateInput;
import com.salesaggregator.job.records.ProductInput;
import com.salesaggregator.job.records.SaleInput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The watermark strategies of the four sources: bounded out-of-orderness over valid events only (a
 * rejected record, whatever its timestamp, never moves a watermark), with idleness so that an idle
 * partition never stalls the windows.
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
        return WatermarkStrategy.<ProductInput>forBoundedOutOfOrderness(config.outOfOrderness())
                .withTimestampAssigner(
                        (input, recordTimestamp) ->
                                input.change() != null
                                        ? input.change().validFrom()
                                        : Long.MIN_VALUE)
                .withIdleness(config.idleness());
    }

    public static WatermarkStrategy<FxRateInput> fxRates(JobConfig config) {
        return WatermarkStrategy.<FxRateInput>forBoundedOutOfOrderness(config.outOfOrderness())
                .withTimestampAssigner(
                        (input, recordTimestamp) ->
                                input.rate() != null
                                        ? input.rate().validFrom().toEpochMilli()
                                        : Long.MIN_VALUE)
                .withIdleness(config.idleness());
    }
}
