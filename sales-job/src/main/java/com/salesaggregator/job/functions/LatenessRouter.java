package com.salesaggregator.job.functions;

import com.salesaggregator.job.records.LateLine;
import com.salesaggregator.job.records.PricedLine;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Decides lateness once per line, before the fan-out to the aggregates: a line whose one-minute
 * window closed for longer than the allowed lateness (by the same rule as Flink's window operator:
 * {@code window end - 1 + allowed lateness <= watermark}) goes to the late side output and into no
 * aggregate; every other line goes on and counts everywhere.
 *
 * <p>The watermark it judges by survives a restore. Flink does not checkpoint watermarks: after a
 * restart or a restore every operator starts again from none, while the window operators keep their
 * state, from which windows past their allowed lateness are gone. Judged by the fresh watermark, a
 * line for such a window would count as on time, open the window anew and fire it with that line
 * alone, overwriting the window's published figure. So the router keeps the watermark it had at
 * each checkpoint (operator state, every subtask's value restored to every subtask) and judges by
 * the larger of the current watermark and the smallest restored one: no window operator downstream
 * can have been further when it took the same checkpoint.
 */
public final class LatenessRouter extends AbstractStreamOperator<PricedLine>
        implements OneInputStreamOperator<PricedLine, PricedLine> {

    /** Side output for late lines. */
    public static final OutputTag<LateLine> LATE = new OutputTag<>("late-lines") {};

    /** The window the lateness rule is about: one UTC minute. */
    public static final long WINDOW_MILLIS = Duration.ofMinutes(1).toMillis();

    private static final ListStateDescriptor<Long> WATERMARKS =
            new ListStateDescriptor<>("watermark-at-checkpoint", LongSerializer.INSTANCE);

    private final long allowedLatenessMillis;

    private transient ListState<Long> checkpointed;

    /** The smallest watermark restored from a checkpoint or savepoint; none: Long.MIN_VALUE. */
    private transient long restoredWatermark;

    private transient long watermark;

    public LatenessRouter(Duration allowedLateness) {
        this.allowedLatenessMillis = allowedLateness.toMillis();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed = context.getOperatorStateStore().getUnionListState(WATERMARKS);
        restoredWatermark = Long.MIN_VALUE;
        watermark = Long.MIN_VALUE;
        if (context.isRestored()) {
            long smallest = Long.MAX_VALUE;
            boolean any = false;
            for (Long restored : checkpointed.get()) {
                smallest = Math.min(smallest, restored);
                any = true;
            }
            // A savepoint of a version without this state restores none.
            restoredWatermark = any ? smallest : Long.MIN_VALUE;
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointed.update(List.of(effectiveWatermark()));
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        super.processWatermark(mark);
    }

    @Override
    public void processElement(StreamRecord<PricedLine> element) {
        PricedLine line = element.getValue();
        long judgedBy = effectiveWatermark();
        long eventTime = line.line().eventTime();
        long windowStart = eventTime - Math.floorMod(eventTime, WINDOW_MILLIS);
        long windowEnd = windowStart + WINDOW_MILLIS;
        if (windowEnd - 1 + allowedLatenessMillis <= judgedBy) {
            LateLine late = new LateLine(line, judgedBy, windowStart, windowEnd);
            output.collect(
                    LATE,
                    element.hasTimestamp()
                            ? new StreamRecord<>(late, element.getTimestamp())
                            : new StreamRecord<>(late));
        } else {
            output.collect(element);
        }
    }

    private long effectiveWatermark() {
        return Math.max(watermark, restoredWatermark);
    }
}
