package com.salesaggregator.job.functions;

import com.salesaggregator.job.Backfill;
import com.salesaggregator.metrics.JobMetrics;
import com.salesaggregator.model.SaleLine;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.metrics.Counter;

/**
 * A backfill's filter of the sale lines: those with an event time outside its range are skipped and
 * counted ({@link JobMetrics#OUT_OF_RANGE}), neither aggregated nor dead letters. It runs after the
 * sources have assigned watermarks, so a skipped line still moves the watermark as it did in the
 * live job, and lines just inside the range are judged late or on time as they were there.
 */
public final class LinesInRange extends RichFilterFunction<SaleLine> {

    /** Accumulator of the lines in the range (the job's result holds it when it ends). */
    public static final String IN_RANGE = "lines-in-range";

    /** Accumulator of the lines skipped as outside the range. */
    public static final String SKIPPED = "lines-out-of-range";

    private final Backfill backfill;
    private transient Counter skipped;
    private transient LongCounter inRangeTotal;
    private transient LongCounter skippedTotal;

    public LinesInRange(Backfill backfill) {
        this.backfill = backfill;
    }

    @Override
    public void open(OpenContext context) {
        skipped = getRuntimeContext().getMetricGroup().counter(JobMetrics.OUT_OF_RANGE);
        inRangeTotal = getRuntimeContext().getLongCounter(IN_RANGE);
        skippedTotal = getRuntimeContext().getLongCounter(SKIPPED);
    }

    @Override
    public boolean filter(SaleLine line) {
        if (backfill.contains(line.eventTime())) {
            inRangeTotal.add(1L);
            return true;
        }
        skipped.inc();
        skippedTotal.add(1L);
        return false;
    }
}
