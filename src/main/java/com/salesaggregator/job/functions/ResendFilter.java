package com.salesaggregator.job.functions;

import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.job.records.SourcePosition;
import com.salesaggregator.model.Channel;
import com.salesaggregator.model.SaleLine;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Counts each sale once: keyed by {@link SaleIdentity}, it remembers the input record that first
 * delivered the sale (its partition and offset) for the dedup horizon; the lines of any other
 * record with the same identity within that horizon are upstream resends and go to the dead letters
 * as {@link RejectReason#DUPLICATE}. The lines of the first record all pass, since they share its
 * position: a receipt is kept or dropped as a whole.
 *
 * <p>The horizon is a state TTL in processing time, counted from the first delivery (a resend does
 * not extend it). A resend carries the original's event time, so it is filtered here, before
 * enrichment and the lateness decision: it reaches neither an aggregate nor {@code sales-late}.
 */
public final class ResendFilter extends KeyedProcessFunction<String, SaleLine, SaleLine> {

    private final Duration horizon;
    private final DeadLetters.SourceTopics sourceTopics;

    private transient ValueState<SourcePosition> firstDelivery;

    public ResendFilter(Duration horizon, DeadLetters.SourceTopics sourceTopics) {
        this.horizon = horizon;
        this.sourceTopics = sourceTopics;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<SourcePosition> descriptor =
                new ValueStateDescriptor<>(
                        "first-delivery", TypeInformation.of(SourcePosition.class));
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(horizon)
                        .updateTtlOnCreateAndWrite()
                        .neverReturnExpired()
                        // Expired entries stay out of full snapshots (checkpoints, savepoints);
                        // on the heap, each state access also sweeps a few entries (Flink's
                        // default incremental cleanup), so they leave memory gradually.
                        .cleanupFullSnapshot()
                        .build());
        firstDelivery = getRuntimeContext().getState(descriptor);
    }

    @Override
    public void processElement(SaleLine line, Context ctx, Collector<SaleLine> out)
            throws Exception {
        SourcePosition first = firstDelivery.value();
        if (first == null) {
            firstDelivery.update(new SourcePosition(line.sourcePartition(), line.sourceOffset()));
            out.collect(line);
        } else if (first.partition() == line.sourcePartition()
                && first.offset() == line.sourceOffset()) {
            // Another line of the record that first delivered this sale.
            out.collect(line);
        } else {
            ctx.output(
                    DeadLetters.TAG,
                    DeadLetters.forLine(
                            line,
                            sourceTopics,
                            RejectReason.DUPLICATE,
                            (line.channel() == Channel.ONLINE ? "order '" : "receipt '")
                                    + line.orderId()
                                    + "' was first delivered at partition "
                                    + first.partition()
                                    + " offset "
                                    + first.offset()
                                    + ", within the dedup horizon of "
                                    + horizon));
        }
    }
}
