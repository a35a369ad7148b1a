package com.salesaggregator.job.functions;

import com.salesaggregator.output.DeadLetter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Splits what a source emits into valid events (main output) and dead letters (side output), so
 * that a record the decoder rejected never reaches the enrichment. An input that is neither (a
 * reference heartbeat, whose only work is the watermark progress it made at the source) is dropped:
 * never state, never counted, never a dead letter.
 *
 * @param <I> the source's union type
 * @param <O> the valid event type
 */
public final class DeadLetterRouter<I, O> extends ProcessFunction<I, O> {

    private final SerializableFunction<I, O> valid;
    private final SerializableFunction<I, DeadLetter> rejected;

    public DeadLetterRouter(
            SerializableFunction<I, O> valid, SerializableFunction<I, DeadLetter> rejected) {
        this.valid = valid;
        this.rejected = rejected;
    }

    @Override
    public void processElement(I input, Context ctx, Collector<O> out) {
        O event = valid.apply(input);
        if (event != null) {
            out.collect(event);
            return;
        }
        DeadLetter deadLetter = rejected.apply(input);
        if (deadLetter != null) {
            ctx.output(DeadLetters.TAG, deadLetter);
        }
    }
}
