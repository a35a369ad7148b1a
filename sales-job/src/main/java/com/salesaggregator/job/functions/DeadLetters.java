package com.salesaggregator.job.functions;

import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.model.Channel;
import com.salesaggregator.model.SaleLine;
import com.salesaggregator.output.DeadLetter;
import com.salesaggregator.output.OutputCodec;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import org.apache.flink.util.OutputTag;

/** The dead-letter side output shared by every function that rejects records or lines. */
public final class DeadLetters {

    /** Side output for rejected records and lines. */
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters") {};

    private DeadLetters() {}

    /**
     * The input topics a line can come from, so a rejected line names its source.
     *
     * @param online the online orders topic
     * @param store the store receipts topic
     */
    public record SourceTopics(String online, String store) implements Serializable {

        /** The topic a line of this channel was read from. */
        public String of(Channel channel) {
            return channel == Channel.ONLINE ? online : store;
        }
    }

    /**
     * A dead letter for one line rejected after decoding (no product, no rate, duplicate): the
     * value is the line as the job saw it, the key the input record's key.
     */
    public static DeadLetter forLine(
            SaleLine line, SourceTopics topics, RejectReason reason, String message) {
        String key = line.channel() == Channel.ONLINE ? line.orderId() : line.storeId();
        return DeadLetter.of(
                topics.of(line.channel()),
                line.sourcePartition(),
                line.sourceOffset(),
                line.lineId(),
                key.getBytes(StandardCharsets.UTF_8),
                OutputCodec.saleLine(line),
                reason,
                message);
    }
}
