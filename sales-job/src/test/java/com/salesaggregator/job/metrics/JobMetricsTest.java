package com.salesaggregator.job.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.codec.CodecLimits;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.job.kafka.JsonRecordSerializer;
import com.salesaggregator.job.kafka.OutputRecords;
import com.salesaggregator.job.kafka.SaleRecordDeserializer;
import com.salesaggregator.job.records.SaleInput;
import com.salesaggregator.metrics.JobMetrics;
import com.salesaggregator.model.Channel;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.output.DeadLetter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.testutils.MetricListener;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * The job's own metrics as the sinks and sources register them: records out per output, dead
 * letters per reason, late lines, and the event-time lag per source.
 */
class JobMetricsTest {

    private final MetricListener metrics = new MetricListener();

    @Test
    void outputsCountTheirRecords() throws Exception {
        JsonRecordSerializer<String> serializer =
                new JsonRecordSerializer<>(
                        "revenue-per-product", JobMetricsTest::utf8, JobMetricsTest::utf8);
        serializer.open(sinkContext(metrics.getMetricGroup()), null);

        serializer.serialize("a", null, null);
        serializer.serialize("b", null, null);

        assertThat(counter(JobMetrics.OUTPUT_GROUP, "revenue-per-product", JobMetrics.RECORDS_OUT))
                .isEqualTo(2);
        assertThat(metrics.getCounter(JobMetrics.LATE_LINES)).isEmpty();
    }

    @Test
    void deadLettersAreCountedByReason() throws Exception {
        JsonRecordSerializer<DeadLetter> serializer =
                new JsonRecordSerializer<>(
                        "sales-dlq",
                        OutputRecords::deadLetterKey,
                        OutputRecords::deadLetterValue,
                        OutputCounters.deadLetters("sales-dlq", d -> d.reason().name()));
        serializer.open(sinkContext(metrics.getMetricGroup()), null);

        serializer.serialize(deadLetter(RejectReason.MALFORMED_JSON), null, null);
        serializer.serialize(deadLetter(RejectReason.MALFORMED_JSON), null, null);
        serializer.serialize(deadLetter(RejectReason.NO_FX_RATE), null, null);

        assertThat(counter(JobMetrics.OUTPUT_GROUP, "sales-dlq", JobMetrics.RECORDS_OUT))
                .isEqualTo(3);
        assertThat(counter(JobMetrics.REASON_GROUP, "MALFORMED_JSON", JobMetrics.DEAD_LETTERS))
                .isEqualTo(2);
        assertThat(counter(JobMetrics.REASON_GROUP, "NO_FX_RATE", JobMetrics.DEAD_LETTERS))
                .isEqualTo(1);
    }

    @Test
    void lateLinesAreCounted() throws Exception {
        JsonRecordSerializer<String> serializer =
                new JsonRecordSerializer<>(
                        "sales-late",
                        JobMetricsTest::utf8,
                        JobMetricsTest::utf8,
                        OutputCounters.late("sales-late"));
        serializer.open(sinkContext(metrics.getMetricGroup()), null);

        serializer.serialize("late", null, null);

        assertThat(counter(JobMetrics.LATE_LINES)).isEqualTo(1);
        assertThat(counter(JobMetrics.OUTPUT_GROUP, "sales-late", JobMetrics.RECORDS_OUT))
                .isEqualTo(1);
    }

    @Test
    void eachSourceReportsItsEventTimeLag() throws Exception {
        SaleRecordDeserializer deserializer =
                new SaleRecordDeserializer(Channel.ONLINE, CodecLimits.defaults());
        deserializer.open(sourceContext(metrics.getMetricGroup()));
        assertThat(
                        metrics.getGauge(
                                JobMetrics.SOURCE_GROUP, "sales-online", JobMetrics.EVENT_TIME_LAG))
                .as("registered with the first record")
                .isEmpty();
        Instant tenMinutesAgo = Instant.now().minus(Duration.ofMinutes(10));
        Instant twoMinutesAgo = Instant.now().minus(Duration.ofMinutes(2));

        List<SaleInput> out = new ArrayList<>();
        deserializer.deserialize(order(twoMinutesAgo), new ListCollector<>(out));
        // Out of order: an older sale does not lower the newest event time.
        deserializer.deserialize(order(tenMinutesAgo), new ListCollector<>(out));

        double lag =
                metrics.<Double>getGauge(
                                JobMetrics.SOURCE_GROUP, "sales-online", JobMetrics.EVENT_TIME_LAG)
                        .orElseThrow()
                        .getValue();
        assertThat(out).hasSize(2);
        assertThat(lag).isBetween(120_000.0, 180_000.0);
    }

    @Test
    void prometheusNamesFollowTheReportersScheme() {
        assertThat(JobMetrics.PROMETHEUS_RECORDS_OUT)
                .isEqualTo("flink_taskmanager_job_task_operator_user_output_recordsOut");
        assertThat(JobMetrics.PROMETHEUS_DEAD_LETTERS)
                .isEqualTo("flink_taskmanager_job_task_operator_user_reason_deadLetters");
        assertThat(JobMetrics.PROMETHEUS_LATE_LINES)
                .isEqualTo("flink_taskmanager_job_task_operator_user_lateLines");
        assertThat(JobMetrics.PROMETHEUS_EVENT_TIME_LAG)
                .isEqualTo(
                        "flink_taskmanager_job_task_operator_deserializer_source_eventTimeLagMs");
    }

    private long counter(String... identifier) {
        return metrics.getCounter(identifier).map(Counter::getCount).orElse(-1L);
    }

    private static DeadLetter deadLetter(RejectReason reason) {
        byte[] bytes = "x".getBytes(StandardCharsets.UTF_8);
        return DeadLetter.of("sales-online", 0, 1, null, bytes, bytes, reason, "test");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static ConsumerRecord<byte[], byte[]> order(Instant eventTime) {
        byte[] value =
                EventCodec.withDefaults()
                        .encode(
                                new OnlineOrder(
                                        "o-" + eventTime.toEpochMilli(),
                                        eventTime,
                                        "s-1",
                                        "c-1",
                                        "p-1",
                                        1,
                                        new BigDecimal("2.50"),
                                        "EUR",
                                        "uk"));
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        return new ConsumerRecord<>(
                "sales-online",
                0,
                7,
                eventTime.toEpochMilli(),
                TimestampType.CREATE_TIME,
                key.length,
                value.length,
                key,
                value,
                new RecordHeaders(),
                Optional.empty());
    }

    private static SerializationSchema.InitializationContext sinkContext(MetricGroup group) {
        return new SerializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return group;
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return SimpleUserCodeClassLoader.create(JobMetricsTest.class.getClassLoader());
            }
        };
    }

    private static DeserializationSchema.InitializationContext sourceContext(MetricGroup group) {
        return new DeserializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return group;
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return SimpleUserCodeClassLoader.create(JobMetricsTest.class.getClassLoader());
            }
        };
    }
}
