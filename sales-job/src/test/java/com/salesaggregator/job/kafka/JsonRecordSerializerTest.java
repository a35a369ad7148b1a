package com.salesaggregator.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Output records carry their event-time timestamp unless it lies after the wall clock: a broker
 * refuses timestamps over an hour ahead, which would fail the sink and restart the job forever.
 */
class JsonRecordSerializerTest {

    private final JsonRecordSerializer<String> serializer =
            new JsonRecordSerializer<>(
                    "out", JsonRecordSerializerTest::utf8, JsonRecordSerializerTest::utf8);

    @Test
    void aPastEventTimeIsTheRecordTimestamp() {
        long yesterday = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();

        ProducerRecord<byte[], byte[]> record = serializer.serialize("v", null, yesterday);

        assertThat(record.timestamp()).isEqualTo(yesterday);
        assertThat(record.topic()).isEqualTo("out");
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("v");
    }

    @Test
    void aTimestampAheadOfTheClockLeavesItToTheProducer() {
        long inTwoHours = Instant.now().plus(Duration.ofHours(2)).toEpochMilli();

        assertThat(serializer.serialize("v", null, inTwoHours).timestamp()).isNull();
        assertThat(serializer.serialize("v", null, Long.MAX_VALUE).timestamp()).isNull();
        assertThat(serializer.serialize("v", null, null).timestamp()).isNull();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
