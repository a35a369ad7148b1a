package com.salesaggregator.job.functions;

import com.salesaggregator.job.records.LateLine;
import com.salesaggregator.job.records.PricedLine;
import java.time.Duration;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decides lateness once per line, before the fan-out to the aggregates: a line whose one-minute
 * window closed for longer than the allowed lateness (by the same rule as Flink's window operator:
 * {@code window end - 1 + allowed lateness <= watermark}) goes to the late side output and into no
 * aggregate; every other line goes on and counts everywhere.
 */
public final class LatenessRouter extends ProcessFunction<PricedLine, PricedLine> {

    /** Side output for late lines. */
    public static final OutputTag<LateLine> LATE = new OutputTag<>("late-lines") {};

    /** The window the lateness rule is about: one UTC minute. */
    public static final long WINDOW_MILLIS = Duration.ofMinutes(1).toMillis();

    private final long allowedLatenessMillis;

    public LatenessRouter(Duration allowedLateness) {
        this.allowedLatenessMillis = allowedLateness.toMillis();
    }

    @Override
    public void processElement(PricedLine line, Context ctx, Collector<PricedLine> out) {
        long watermark = ctx.timerService().currentWatermark();
        long eventTime = line.line().eventTime();
        long windowStart = eventTime - Math.floorMod(eventTime, WINDOW_MILLIS);
        long windowEnd = windowStart + WINDOW_MILLIS;
        if (windowEnd - 1 + allowedLatenessMillis <= watermark) {
            ctx.output(LATE, new LateLine(line, watermark, windowStart, windowEnd));
        } else {
            out.collect(line);
        }
    }
}
