package com.salesaggregator.job.kafka;

import com.salesaggregator.job.Backfill;
import com.salesaggregator.metrics.JobMetrics;
import com.salesaggregator.output.DeadLetter;
import java.io.IOException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A backfill's decoding of one input topic: as the live job's ({@code decoder}), except that a
 * rejected record whose record timestamp lies outside the backfill's range is skipped and counted
 * ({@link JobMetrics#OUT_OF_RANGE}), not dead-lettered: a rejected record has no event time, and
 * its record timestamp says which range it belongs to. Valid events pass whatever their time: the
 * watermarks need them, and the sale lines outside the range are skipped after the watermarks
 * ({@code LinesInRange}).
 *
 * @param <T> the source's union type
 */
public final class RejectionsInRange<T> implements KafkaRecordDeserializationSchema<T> {

    private final KafkaRecordDeserializationSchema<T> decoder;
    private final SerializableFunction<T, DeadLetter> rejected;
    private final Backfill backfill;
    private transient Counter skipped;

    public RejectionsInRange(
            KafkaRecordDeserializationSchema<T> decoder,
            SerializableFunction<T, DeadLetter> rejected,
            Backfill backfill) {
        this.decoder = decoder;
        this.rejected = rejected;
        this.backfill = backfill;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) throws Exception {
        decoder.open(context);
        skipped = context.getMetricGroup().counter(JobMetrics.OUT_OF_RANGE);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<T> out)
            throws IOException {
        if (backfill.contains(record.timestamp())) {
            decoder.deserialize(record, out);
            return;
        }
        decoder.deserialize(
                record,
                new Collector<>() {
                    @Override
                    public void collect(T input) {
                        if (rejected.apply(input) == null) {
                            out.collect(input);
                        } else if (skipped != null) {
                            skipped.inc();
                        }
                    }

                    @Override
                    public void close() {}
                });
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return decoder.getProducedType();
    }
}
