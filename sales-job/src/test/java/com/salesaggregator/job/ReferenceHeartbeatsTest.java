package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.salesaggregator.codec.CodecLimits;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.job.functions.DeadLetterRouter;
import com.salesaggregator.job.functions.DeadLetters;
import com.salesaggregator.job.kafka.FxRateRecordDeserializer;
import com.salesaggregator.job.kafka.ProductRecordDeserializer;
import com.salesaggregator.job.kafka.SaleRecordDeserializer;
import com.salesaggregator.job.records.FxRateInput;
import com.salesaggregator.job.records.ProductChange;
import com.salesaggregator.job.records.ProductInput;
import com.salesaggregator.job.records.SaleInput;
import com.salesaggregator.model.Channel;
import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.Product;
import com.salesaggregator.model.ReferenceHeartbeat;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.operators.TimestampsAndWatermarksOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reference heartbeats through the job's real source side: a Kafka record decoded by the products
 * or FX deserializer, timestamped and watermarked by {@link JobWatermarks} (its idleness included)
 * in a {@link TimestampsAndWatermarksOperatorFactory} harness whose processing time drives both the
 * periodic watermark and the idleness clock, then split by the {@code split-products} {@link
 * DeadLetterRouter}. A heartbeat moves the watermark and nothing else; a silent partition falls
 * back to idleness; a bad heartbeat is a dead letter and moves nothing.
 */
class ReferenceHeartbeatsTest {

    private static final EventCodec CODEC = EventCodec.withDefaults();
    private static final CodecLimits LIMITS = CodecLimits.defaults();
    private static final long AUTO_WATERMARK_INTERVAL = 200;
    private static final Duration IDLENESS = Duration.ofSeconds(5);
    private static final JobConfig CONFIG =
            JobConfig.from(
                    Map.of(
                            SalesJobOptions.IDLENESS.key(),
                            IDLENESS.toSeconds() + "s",
                            SalesJobOptions.OUT_OF_ORDERNESS.key(),
                            "30s"));
    private static final Instant AT = Instant.parse("2026-11-22T10:15:00Z");

    private final List<OneInputStreamOperatorTestHarness<?, ?>> harnesses = new ArrayList<>();
    private long processingTime;
    private long offset;

    @AfterEach
    void closeHarnesses() throws Exception {
        for (OneInputStreamOperatorTestHarness<?, ?> harness : harnesses) {
            harness.close();
        }
    }

    @Test
    void aHeartbeatMovesTheWatermarkToItsTimeAndNothingElse() throws Exception {
        var watermarks = watermarks(JobWatermarks.products(CONFIG), ProductInput.class);
        var split = productSplit();

        List<ProductInput> decoded = decodeProduct(heartbeat(0, AT, AT));
        feed(watermarks, decoded);
        emitPeriodically(watermarks);

        assertThat(decoded)
                .containsExactly(ProductInput.heartbeat(AT.toEpochMilli()))
                .allSatisfy(
                        input -> {
                            assertThat(input.change()).isNull();
                            assertThat(input.rejected()).isNull();
                        });
        // Its time, not a millisecond less: a line at the heartbeat's time can be priced.
        assertThat(watermarksOf(watermarks)).containsExactly(AT.toEpochMilli());

        // Past the source: no element, no dead letter, no state; the watermark goes on.
        for (StreamRecord<ProductInput> element : elementsOf(watermarks)) {
            split.processElement(element);
        }
        split.processWatermark(AT.toEpochMilli());
        assertThat(split.extractOutputValues()).isEmpty();
        assertThat(split.getSideOutput(DeadLetters.TAG)).isNull();
        assertThat(watermarksOf(split)).containsExactly(AT.toEpochMilli());
        OperatorSubtaskState state = split.snapshot(1, processingTime);
        assertThat(state.getManagedKeyedState()).isEmpty();
        assertThat(state.getManagedOperatorState()).isEmpty();
        assertThat(state.getRawKeyedState()).isEmpty();
        assertThat(state.getRawOperatorState()).isEmpty();
    }

    @Test
    void aChangeLetsTheWatermarkReachJustBeforeItsTimeAndAHeartbeatReachesIt() throws Exception {
        var watermarks = watermarks(JobWatermarks.products(CONFIG), ProductInput.class);
        var split = productSplit();
        Instant changedAt = AT.plusSeconds(10);

        feed(watermarks, decodeProduct(product("p-1", changedAt)));
        emitPeriodically(watermarks);
        // Another change at the same time may still follow on the partition.
        assertThat(watermarksOf(watermarks)).containsExactly(changedAt.toEpochMilli() - 1);

        feed(watermarks, decodeProduct(heartbeat(0, changedAt, changedAt)));
        emitPeriodically(watermarks);
        // No out-of-orderness on reference data: the change's time, then the heartbeat's.
        assertThat(watermarksOf(watermarks))
                .containsExactly(changedAt.toEpochMilli() - 1, changedAt.toEpochMilli());

        // An older heartbeat (a slower publisher instance) never takes the watermark back.
        feed(watermarks, decodeProduct(heartbeat(0, AT, changedAt)));
        emitPeriodically(watermarks);
        assertThat(watermarksOf(watermarks))
                .containsExactly(changedAt.toEpochMilli() - 1, changedAt.toEpochMilli());

        // The change is the only element past the split.
        for (StreamRecord<ProductInput> element : elementsOf(watermarks)) {
            split.processElement(element);
        }
        assertThat(split.extractOutputValues())
                .extracting(ProductChange::productId, ProductChange::validFrom)
                .containsExactly(tuple("p-1", changedAt.toEpochMilli()));
    }

    @Test
    void anFxHeartbeatMovesTheFxWatermarkAndIsNoRate() throws Exception {
        var watermarks = watermarks(JobWatermarks.fxRates(CONFIG), FxRateInput.class);
        Instant validFrom = AT.plusSeconds(30);

        List<FxRateInput> decoded = new ArrayList<>();
        decoded.addAll(decodeFx(rate("GBP", validFrom)));
        decoded.addAll(decodeFx(heartbeat(0, validFrom.plusSeconds(1), validFrom)));
        feed(watermarks, decoded);
        emitPeriodically(watermarks);

        assertThat(decoded.get(1))
                .isEqualTo(FxRateInput.heartbeat(validFrom.toEpochMilli() + 1000));
        assertThat(watermarksOf(watermarks)).containsExactly(validFrom.toEpochMilli() + 1000);

        OneInputStreamOperatorTestHarness<FxRateInput, FxRate> split =
                harness(
                        new ProcessOperator<>(
                                new DeadLetterRouter<FxRateInput, FxRate>(
                                        FxRateInput::rate, FxRateInput::rejected)),
                        FxRateInput.class);
        for (StreamRecord<FxRateInput> element : elementsOf(watermarks)) {
            split.processElement(element);
        }
        assertThat(split.extractOutputValues()).extracting(FxRate::currency).containsExactly("GBP");
        assertThat(split.getSideOutput(DeadLetters.TAG)).isNull();
    }

    @Test
    void aBadOrFarFutureHeartbeatIsADeadLetterAndMovesNothing() throws Exception {
        var watermarks = watermarks(JobWatermarks.products(CONFIG), ProductInput.class);
        var split = productSplit();
        Instant inAYear = AT.plus(Duration.ofDays(365));

        List<ProductInput> decoded = new ArrayList<>();
        decoded.addAll(decodeProduct(heartbeat(0, inAYear, AT)));
        decoded.addAll(
                decodeProduct(
                        record(
                                "products",
                                0,
                                "__heartbeat-0",
                                "{\"heartbeat_time\":\"soon\"}",
                                AT)));
        decoded.addAll(decodeProduct(heartbeat(1, AT, AT)));
        feed(watermarks, decoded);
        emitPeriodically(watermarks);

        assertThat(decoded)
                .extracting(input -> input.rejected().reason())
                .containsExactly(
                        RejectReason.FUTURE_TIMESTAMP,
                        RejectReason.INVALID_TIMESTAMP,
                        RejectReason.MISPLACED_HEARTBEAT);
        assertThat(watermarksOf(watermarks)).isEmpty();

        for (StreamRecord<ProductInput> element : elementsOf(watermarks)) {
            split.processElement(element);
        }
        assertThat(split.extractOutputValues()).isEmpty();
        assertThat(split.getSideOutput(DeadLetters.TAG))
                .extracting(record -> record.getValue().reason())
                .containsExactly(
                        RejectReason.FUTURE_TIMESTAMP,
                        RejectReason.INVALID_TIMESTAMP,
                        RejectReason.MISPLACED_HEARTBEAT);
    }

    @Test
    void aSilentPartitionFallsBackToIdlenessAndAHeartbeatWakesIt() throws Exception {
        var watermarks = watermarks(JobWatermarks.products(CONFIG), ProductInput.class);

        feed(watermarks, decodeProduct(heartbeat(0, AT, AT)));
        emitPeriodically(watermarks);
        // Silent for less than the idleness: still active, holding the watermark at AT.
        advance(watermarks, IDLENESS.toMillis() - AUTO_WATERMARK_INTERVAL);
        assertThat(statusesOf(watermarks)).doesNotContain(WatermarkStatus.IDLE);

        // Silent for longer: idle, so it no longer holds the other inputs back.
        advance(watermarks, IDLENESS.toMillis());
        assertThat(statusesOf(watermarks)).containsExactly(WatermarkStatus.IDLE);
        assertThat(watermarksOf(watermarks)).containsExactly(AT.toEpochMilli());

        // The next heartbeat makes it active again, at its time.
        Instant next = AT.plusSeconds(60);
        feed(watermarks, decodeProduct(heartbeat(0, next, next)));
        emitPeriodically(watermarks);
        assertThat(statusesOf(watermarks))
                .containsExactly(WatermarkStatus.IDLE, WatermarkStatus.ACTIVE);
        assertThat(watermarksOf(watermarks))
                .containsExactly(AT.toEpochMilli(), next.toEpochMilli());
    }

    @Test
    void heartbeatsKeepAPartitionActive() throws Exception {
        var watermarks = watermarks(JobWatermarks.products(CONFIG), ProductInput.class);

        // A heartbeat a second, for three idleness timeouts.
        for (int second = 0; second < 3 * IDLENESS.toSeconds(); second++) {
            Instant at = AT.plusSeconds(second);
            feed(watermarks, decodeProduct(heartbeat(0, at, at)));
            advance(watermarks, 1000);
        }

        assertThat(statusesOf(watermarks)).doesNotContain(WatermarkStatus.IDLE);
        assertThat(watermarksOf(watermarks))
                .hasSize((int) (3 * IDLENESS.toSeconds()))
                .last()
                .isEqualTo(AT.plusSeconds(3 * IDLENESS.toSeconds() - 1).toEpochMilli());
    }

    @Test
    void salesKeepTheirBoundedOutOfOrderness() throws Exception {
        var watermarks = watermarks(JobWatermarks.sales(CONFIG), SaleInput.class);
        SaleRecordDeserializer deserializer = new SaleRecordDeserializer(Channel.ONLINE, LIMITS);
        List<SaleInput> decoded = new ArrayList<>();
        byte[] order =
                CODEC.encode(
                        new OnlineOrder(
                                "o-1",
                                AT,
                                "s-1",
                                "c-1",
                                "p-1",
                                1,
                                new BigDecimal("2.50"),
                                "EUR",
                                "uk"));
        deserializer.deserialize(
                record("sales-online", 0, "o-1", order, AT), new ListCollector<>(decoded));
        feed(watermarks, decoded);
        emitPeriodically(watermarks);

        assertThat(watermarksOf(watermarks)).containsExactly(AT.toEpochMilli() - 30_000 - 1);
    }

    // ------------------------------------------------------------ the rig

    private <T> OneInputStreamOperatorTestHarness<T, T> watermarks(
            WatermarkStrategy<T> strategy, Class<T> type) throws Exception {
        OneInputStreamOperatorTestHarness<T, T> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new TimestampsAndWatermarksOperatorFactory<>(strategy, true),
                        serializer(type));
        harness.getExecutionConfig().setAutoWatermarkInterval(AUTO_WATERMARK_INTERVAL);
        harness.setup(serializer(type));
        harness.setProcessingTime(processingTime);
        harness.open();
        harnesses.add(harness);
        return harness;
    }

    private OneInputStreamOperatorTestHarness<ProductInput, ProductChange> productSplit()
            throws Exception {
        return harness(
                new ProcessOperator<>(
                        new DeadLetterRouter<ProductInput, ProductChange>(
                                ProductInput::change, ProductInput::rejected)),
                ProductInput.class);
    }

    private <I, O> OneInputStreamOperatorTestHarness<I, O> harness(
            ProcessOperator<I, O> operator, Class<I> type) throws Exception {
        OneInputStreamOperatorTestHarness<I, O> harness =
                new OneInputStreamOperatorTestHarness<>(operator, serializer(type));
        harness.open();
        harnesses.add(harness);
        return harness;
    }

    private static <T> TypeSerializer<T> serializer(Class<T> type) {
        return TypeInformation.of(type).createSerializer(new SerializerConfigImpl());
    }

    /** What a Kafka source does with each decoded element: no timestamp of its own yet. */
    private static <T> void feed(OneInputStreamOperatorTestHarness<T, T> harness, List<T> inputs)
            throws Exception {
        for (T input : inputs) {
            harness.processElement(new StreamRecord<>(input));
        }
    }

    /** One auto-watermark interval of processing time: the periodic emit runs once. */
    private void emitPeriodically(OneInputStreamOperatorTestHarness<?, ?> harness)
            throws Exception {
        advance(harness, AUTO_WATERMARK_INTERVAL);
    }

    /** Processing time (and with it the idleness clock) forward, interval by interval. */
    private void advance(OneInputStreamOperatorTestHarness<?, ?> harness, long millis)
            throws Exception {
        long until = processingTime + millis;
        while (processingTime < until) {
            processingTime = Math.min(until, processingTime + AUTO_WATERMARK_INTERVAL);
            harness.setProcessingTime(processingTime);
        }
    }

    private static List<Long> watermarksOf(OneInputStreamOperatorTestHarness<?, ?> harness) {
        List<Long> watermarks = new ArrayList<>();
        for (Object out : harness.getOutput()) {
            if (out instanceof Watermark watermark) {
                watermarks.add(watermark.getTimestamp());
            }
        }
        return watermarks;
    }

    private static List<WatermarkStatus> statusesOf(
            OneInputStreamOperatorTestHarness<?, ?> harness) {
        List<WatermarkStatus> statuses = new ArrayList<>();
        for (Object out : harness.getOutput()) {
            if (out instanceof WatermarkStatus status) {
                statuses.add(status);
            }
        }
        return statuses;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<StreamRecord<T>> elementsOf(
            OneInputStreamOperatorTestHarness<T, T> harness) {
        List<StreamRecord<T>> elements = new ArrayList<>();
        ConcurrentLinkedQueue<Object> output = harness.getOutput();
        for (Object out : output) {
            if (out instanceof StreamRecord<?> element) {
                elements.add((StreamRecord<T>) element);
            }
        }
        return elements;
    }

    // ------------------------------------------------------------ records

    private List<ProductInput> decodeProduct(ConsumerRecord<byte[], byte[]> record) {
        List<ProductInput> out = new ArrayList<>();
        new ProductRecordDeserializer(LIMITS).deserialize(record, new ListCollector<>(out));
        return out;
    }

    private List<FxRateInput> decodeFx(ConsumerRecord<byte[], byte[]> record) {
        List<FxRateInput> out = new ArrayList<>();
        new FxRateRecordDeserializer(LIMITS).deserialize(record, new ListCollector<>(out));
        return out;
    }

    /** A heartbeat keyed for {@code keyPartition}, read from partition 0. */
    private ConsumerRecord<byte[], byte[]> heartbeat(
            int keyPartition, Instant heartbeatTime, Instant recordTime) {
        return record(
                "products",
                0,
                EventCodec.heartbeatKey(keyPartition),
                CODEC.encode(new ReferenceHeartbeat(keyPartition, heartbeatTime)),
                recordTime);
    }

    private ConsumerRecord<byte[], byte[]> product(String id, Instant updatedAt) {
        return record(
                "products",
                0,
                id,
                CODEC.encode(new Product(id, "Lamp", "home", new BigDecimal("4.00"), updatedAt)),
                updatedAt);
    }

    private ConsumerRecord<byte[], byte[]> rate(String currency, Instant validFrom) {
        return record(
                "fx-rates",
                0,
                currency,
                CODEC.encode(new FxRate(currency, new BigDecimal("1.17"), validFrom)),
                validFrom);
    }

    private ConsumerRecord<byte[], byte[]> record(
            String topic, int partition, String key, String value, Instant timestamp) {
        return record(topic, partition, key, value.getBytes(StandardCharsets.UTF_8), timestamp);
    }

    private ConsumerRecord<byte[], byte[]> record(
            String topic, int partition, String key, byte[] value, Instant timestamp) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        return new ConsumerRecord<>(
                topic,
                partition,
                offset++,
                timestamp.toEpochMilli(),
                TimestampType.CREATE_TIME,
                keyBytes.length,
                value.length,
                keyBytes,
                value,
                new RecordHeaders(),
                Optional.empty());
    }
}
