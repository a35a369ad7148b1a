package com.salesaggregator.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.model.ReferenceHeartbeat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A reference heartbeat, key {@code __heartbeat-<partition>} and value {@code {"heartbeat_time":
 * ...}}, decodes to its time; a malformed one, one keyed for another partition or one dated beyond
 * the allowed time ahead of its record is rejected like any bad reference record.
 */
class EventCodecHeartbeatTest {

    private static final EventCodec CODEC = EventCodec.withDefaults();
    private static final Instant AT = Instant.parse("2026-11-22T10:15:30.250Z");
    private static final long RECORD_TIME = AT.toEpochMilli();

    @Test
    void aHeartbeatDecodesToItsTimeAndPartition() {
        DecodeResult<ReferenceHeartbeat> result =
                CODEC.decodeHeartbeat(
                        utf8("__heartbeat-2"),
                        2,
                        utf8("{\"heartbeat_time\":\"2026-11-22T10:15:30.250Z\"}"),
                        RECORD_TIME);

        assertThat(result.isAccepted()).as("%s", result.rejection()).isTrue();
        assertThat(result.event()).isEqualTo(new ReferenceHeartbeat(2, AT));
    }

    @Test
    void theSeederWireFormatIsTheDocumentedOne() {
        ReferenceHeartbeat heartbeat = new ReferenceHeartbeat(0, AT);

        assertThat(EventCodec.heartbeatKey(0)).isEqualTo("__heartbeat-0");
        assertThat(new String(CODEC.encode(heartbeat), StandardCharsets.UTF_8))
                .isEqualTo("{\"heartbeat_time\":\"2026-11-22T10:15:30.250Z\"}");
        assertThat(
                        CODEC.decodeHeartbeat(
                                        utf8(EventCodec.heartbeatKey(0)),
                                        0,
                                        CODEC.encode(heartbeat),
                                        RECORD_TIME)
                                .event())
                .isEqualTo(heartbeat);
    }

    @Test
    void onlyTheHeartbeatPrefixMakesARecordAHeartbeat() {
        assertThat(EventCodec.isHeartbeatKey(utf8("__heartbeat-0"))).isTrue();
        assertThat(EventCodec.isHeartbeatKey(utf8("__heartbeat-x"))).isTrue();
        assertThat(EventCodec.isHeartbeatKey(utf8("p-00001"))).isFalse();
        assertThat(EventCodec.isHeartbeatKey(utf8("__heartbeat"))).isFalse();
        assertThat(EventCodec.isHeartbeatKey(utf8(""))).isFalse();
        assertThat(EventCodec.isHeartbeatKey(null)).isFalse();
    }

    static Stream<Arguments> badHeartbeats() {
        return Stream.of(
                bad("no value", "__heartbeat-0", 0, null, RejectReason.EMPTY_VALUE, "no value"),
                bad("not JSON", "__heartbeat-0", 0, "beat", RejectReason.MALFORMED_JSON, ""),
                bad(
                        "trailing data",
                        "__heartbeat-0",
                        0,
                        "{\"heartbeat_time\":\"2026-11-22T10:15:30Z\"} {}",
                        RejectReason.MALFORMED_JSON,
                        ""),
                bad(
                        "no heartbeat_time",
                        "__heartbeat-0",
                        0,
                        "{\"time\":\"2026-11-22T10:15:30Z\"}",
                        RejectReason.MISSING_FIELD,
                        "heartbeat_time"),
                bad(
                        "heartbeat_time as epoch millis",
                        "__heartbeat-0",
                        0,
                        "{\"heartbeat_time\":1795342530000}",
                        RejectReason.WRONG_TYPE,
                        "heartbeat_time"),
                bad(
                        "heartbeat_time not an instant",
                        "__heartbeat-0",
                        0,
                        "{\"heartbeat_time\":\"2026-11-22 10:15\"}",
                        RejectReason.INVALID_TIMESTAMP,
                        "heartbeat_time"),
                bad(
                        "heartbeat_time without a zone",
                        "__heartbeat-0",
                        0,
                        "{\"heartbeat_time\":\"2026-11-22T10:15:30\"}",
                        RejectReason.INVALID_TIMESTAMP,
                        "heartbeat_time"),
                bad(
                        "duplicate heartbeat_time",
                        "__heartbeat-0",
                        0,
                        "{\"heartbeat_time\":\"2026-11-22T10:15:30Z\","
                                + "\"heartbeat_time\":\"2026-11-22T10:15:31Z\"}",
                        RejectReason.DUPLICATE_FIELD,
                        "heartbeat_time"),
                bad(
                        "key of another partition",
                        "__heartbeat-1",
                        0,
                        "{\"heartbeat_time\":\"2026-11-22T10:15:30Z\"}",
                        RejectReason.MISPLACED_HEARTBEAT,
                        "__heartbeat-0"),
                bad(
                        "key naming no partition",
                        "__heartbeat-all",
                        0,
                        "{\"heartbeat_time\":\"2026-11-22T10:15:30Z\"}",
                        RejectReason.MISPLACED_HEARTBEAT,
                        "__heartbeat-all"),
                bad(
                        "key with a leading zero",
                        "__heartbeat-00",
                        0,
                        "{\"heartbeat_time\":\"2026-11-22T10:15:30Z\"}",
                        RejectReason.MISPLACED_HEARTBEAT,
                        "__heartbeat-00"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHeartbeats")
    void aMalformedHeartbeatIsRejectedForItsReason(
            String name,
            String key,
            int partition,
            byte[] value,
            RejectReason reason,
            String inMessage) {
        DecodeResult<ReferenceHeartbeat> result =
                CODEC.decodeHeartbeat(utf8(key), partition, value, RECORD_TIME);

        assertThat(result.isAccepted()).as("accepted: %s", name).isFalse();
        assertThat(result.rejection().reason()).isEqualTo(reason);
        assertThat(result.rejection().message()).contains(inMessage);
    }

    @Test
    void aHeartbeatUpToTheLimitAheadOfItsRecordIsAccepted() {
        Instant limit = AT.plus(CodecLimits.DEFAULT_MAX_TIME_AHEAD);

        assertThat(decodeAt(limit).isAccepted()).isTrue();
        assertThat(decodeAt(AT.minus(Duration.ofDays(2))).isAccepted()).isTrue();
    }

    @Test
    void aHeartbeatFurtherAheadOfItsRecordIsRejectedAsFutureTimestamp() {
        Instant tooFar = AT.plus(CodecLimits.DEFAULT_MAX_TIME_AHEAD).plusMillis(1);
        Instant inAYear = AT.plus(Duration.ofDays(365));

        DecodeResult<ReferenceHeartbeat> result = decodeAt(tooFar);

        assertThat(result.rejection().reason()).isEqualTo(RejectReason.FUTURE_TIMESTAMP);
        assertThat(result.rejection().message())
                .contains("heartbeat_time", tooFar.toString(), AT.toString());
        assertThat(decodeAt(inAYear).rejection().reason()).isEqualTo(RejectReason.FUTURE_TIMESTAMP);
    }

    @Test
    void aHeartbeatOutsideTheAcceptedRangeIsAnInvalidTimestamp() {
        assertThat(decodeAt(Instant.parse("1999-12-31T23:59:59Z")).rejection().reason())
                .isEqualTo(RejectReason.INVALID_TIMESTAMP);
    }

    private static DecodeResult<ReferenceHeartbeat> decodeAt(Instant heartbeatTime) {
        return CODEC.decodeHeartbeat(
                utf8("__heartbeat-0"),
                0,
                utf8("{\"heartbeat_time\":\"" + heartbeatTime + "\"}"),
                RECORD_TIME);
    }

    private static Arguments bad(
            String name,
            String key,
            int partition,
            String value,
            RejectReason reason,
            String inMessage) {
        return Arguments.of(name, key, partition, utf8(value), reason, inMessage);
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }
}
