package com.salesaggregator.job;

import com.salesaggregator.job.kafka.FxRateRecordDeserializer;
import com.salesaggregator.job.kafka.JsonRecordSerializer;
import com.salesaggregator.job.kafka.OutputJson;
import com.salesaggregator.job.kafka.ProductRecordDeserializer;
import com.salesaggregator.job.kafka.SaleRecordDeserializer;
import com.salesaggregator.job.metrics.OutputCounters;
import com.salesaggregator.job.records.DeadLetter;
import com.salesaggregator.job.records.LateLine;
import com.salesaggregator.job.records.ProductWindowUnits;
import com.salesaggregator.job.records.RegionMinute;
import com.salesaggregator.job.records.RunningTotal;
import com.salesaggregator.job.records.SellerMinute;
import com.salesaggregator.model.Channel;
import com.salesaggregator.topics.Topic;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The Kafka ends of the job: one {@link KafkaSource} per input topic (decoding never fails), one
 * exactly-once {@link KafkaSink} per output topic, each with its own transactional id prefix.
 */
public final class KafkaConnectors {

    private KafkaConnectors() {}

    /** The four sources with their watermark strategies, unbounded (the production job). */
    public static SalesTopology.Sources sources(StreamExecutionEnvironment env, JobConfig config) {
        return sources(env, config, false);
    }

    /**
     * The four sources with their watermark strategies; {@code bounded} sources stop at the end
     * offsets they find at start (make bench replays a preloaded data set to its end), after which
     * the end of event time fires every window and flushes every total.
     */
    public static SalesTopology.Sources sources(
            StreamExecutionEnvironment env, JobConfig config, boolean bounded) {
        JobConfig.TopicNames topics = config.topics();
        return new SalesTopology.Sources(
                input(
                        env,
                        config,
                        bounded,
                        topics.of(Topic.SALES_ONLINE),
                        new SaleRecordDeserializer(Channel.ONLINE, config.codecLimits()),
                        JobWatermarks.sales(config)),
                input(
                        env,
                        config,
                        bounded,
                        topics.of(Topic.SALES_STORE),
                        new SaleRecordDeserializer(Channel.STORE, config.codecLimits()),
                        JobWatermarks.sales(config)),
                input(
                        env,
                        config,
                        bounded,
                        topics.of(Topic.PRODUCTS),
                        new ProductRecordDeserializer(config.codecLimits()),
                        JobWatermarks.products(config)),
                input(
                        env,
                        config,
                        bounded,
                        topics.of(Topic.FX_RATES),
                        new FxRateRecordDeserializer(config.codecLimits()),
                        JobWatermarks.fxRates(config)));
    }

    /** One input topic as a stream, with its watermarks and a uid named for the topic. */
    private static <T> DataStreamSource<T> input(
            StreamExecutionEnvironment env,
            JobConfig config,
            boolean bounded,
            String topic,
            KafkaRecordDeserializationSchema<T> deserializer,
            WatermarkStrategy<T> watermarks) {
        DataStreamSource<T> stream =
                env.fromSource(
                        source(config, bounded, topic, deserializer),
                        watermarks,
                        "Source: " + topic);
        stream.uid("source-" + topic);
        return stream;
    }

    /** The seven exactly-once sinks. */
    public static SalesTopology.Sinks sinks(JobConfig config) {
        JobConfig.TopicNames topics = config.topics();
        return new SalesTopology.Sinks(
                sink(
                        config,
                        topics.of(Topic.REVENUE_PER_SELLER_1M),
                        (SellerMinute m) -> OutputJson.windowKey(m.sellerId(), m.windowStart()),
                        OutputJson::sellerMinute),
                sink(
                        config,
                        topics.of(Topic.UNITS_PER_PRODUCT_5M),
                        (ProductWindowUnits u) ->
                                OutputJson.windowKey(u.productId(), u.windowStart()),
                        OutputJson::productWindowUnits),
                sink(
                        config,
                        topics.of(Topic.REVENUE_PER_PRODUCT),
                        (RunningTotal t) -> OutputJson.utf8(t.key()),
                        OutputJson::productTotal),
                sink(
                        config,
                        topics.of(Topic.SALES_PER_REGION),
                        (RunningTotal t) -> OutputJson.utf8(t.key()),
                        OutputJson::regionTotal),
                sink(
                        config,
                        topics.of(Topic.REGION_TREND_1M),
                        (RegionMinute m) -> OutputJson.windowKey(m.region(), m.windowStart()),
                        OutputJson::regionMinute),
                sink(
                        config,
                        topics.of(Topic.SALES_DLQ),
                        OutputJson::deadLetterKey,
                        OutputJson::deadLetter,
                        OutputCounters.deadLetters(
                                topics.of(Topic.SALES_DLQ), (DeadLetter d) -> d.reason().name())),
                sink(
                        config,
                        topics.of(Topic.SALES_LATE),
                        (LateLine l) -> OutputJson.utf8(l.line().line().lineId()),
                        OutputJson::lateLine,
                        OutputCounters.late(topics.of(Topic.SALES_LATE))));
    }

    private static <T> KafkaSource<T> source(
            JobConfig config,
            boolean bounded,
            String topic,
            KafkaRecordDeserializationSchema<T> deserializer) {
        OffsetsInitializer start =
                switch (config.startingOffsets()) {
                    case "earliest" -> OffsetsInitializer.earliest();
                    case "latest" -> OffsetsInitializer.latest();
                    default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                };
        Properties props = config.clientProperties();
        props.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaSourceBuilder<T> builder =
                KafkaSource.<T>builder()
                        .setBootstrapServers(config.bootstrapServers())
                        .setProperties(props)
                        .setTopics(topic)
                        .setGroupId(config.groupId())
                        .setClientIdPrefix(config.groupId() + "-" + topic)
                        .setStartingOffsets(start)
                        .setDeserializer(deserializer);
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * An exactly-once sink to {@code topic} with the job's producer settings and the topic's own
     * transactional id prefix; {@code key} and {@code value} give each record's bytes. Public so
     * that another version of the job (a changed output format) builds its sinks the same way.
     */
    public static <T> KafkaSink<T> sink(
            JobConfig config,
            String topic,
            SerializableFunction<T, byte[]> key,
            SerializableFunction<T, byte[]> value) {
        return sink(config, topic, key, value, OutputCounters.figures(topic));
    }

    private static <T> KafkaSink<T> sink(
            JobConfig config,
            String topic,
            SerializableFunction<T, byte[]> key,
            SerializableFunction<T, byte[]> value,
            OutputCounters<T> counters) {
        Properties props = config.clientProperties();
        props.setProperty(
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                String.valueOf(config.transactionTimeout().toMillis()));
        props.setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.setProperty(ProducerConfig.LINGER_MS_CONFIG, "10");
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(new JsonRecordSerializer<>(topic, key, value, counters))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                // One prefix per sink: two sinks sharing one would fence each other.
                .setTransactionalIdPrefix(config.transactionalIdPrefix(topic))
                .build();
    }
}
