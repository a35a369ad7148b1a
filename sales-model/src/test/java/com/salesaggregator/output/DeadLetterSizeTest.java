package com.salesaggregator.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesaggregator.codec.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * A dead letter stays far below the 1 MB a producer sends by default, whatever the input: a large
 * value (JSON escaping can grow it sixfold, base64 by a third) is cut to {@link
 * DeadLetter#MAX_CARRIED_BYTES}, marked truncated and sized. Otherwise one such record fails the
 * DLQ sink, and the job restarts on it forever.
 */
class DeadLetterSizeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PRODUCER_LIMIT = 1024 * 1024;
    private static final int LIMIT = DeadLetter.MAX_CARRIED_BYTES;

    @Test
    void aSmallValueIsCarriedWhole() throws Exception {
        byte[] value = utf8("{\"order_id\":");

        JsonNode letter = publish(utf8("o-1"), value);

        assertThat(letter.path("value").asText()).isEqualTo("{\"order_id\":");
        assertThat(letter.has("value_truncated")).isFalse();
        assertThat(letter.has("value_bytes")).isFalse();
    }

    @Test
    void valuesAtTheLimitAreCarriedWhole() throws Exception {
        JsonNode letter = publish(null, utf8("x".repeat(LIMIT)));

        assertThat(letter.path("value").asText()).hasSize(LIMIT);
        assertThat(letter.has("value_truncated")).isFalse();
    }

    @Test
    void controlCharactersThatWouldEscapeToSixMegabytesAreCut() throws Exception {
        byte[] value = utf8("\u0001".repeat(900_000));

        byte[] published = OutputCodec.DEAD_LETTERS.value(letter(null, value));
        JsonNode letter = JSON.readTree(published);

        assertThat(published.length).isLessThan(PRODUCER_LIMIT / 2);
        assertThat(letter.path("value").asText()).isEqualTo("\u0001".repeat(LIMIT));
        assertThat(letter.path("value_truncated").asBoolean()).isTrue();
        assertThat(letter.path("value_bytes").asInt()).isEqualTo(900_000);
    }

    @Test
    void aCutNeverSplitsACharacter() throws Exception {
        // "é" is two bytes; one ASCII byte first puts a character across the limit.
        byte[] value = utf8("a" + "é".repeat(LIMIT));

        JsonNode letter = publish(null, value);

        String text = letter.path("value").asText();
        assertThat(text).isEqualTo("a" + "é".repeat((LIMIT - 1) / 2));
        assertThat(letter.path("value_encoding").isMissingNode()).isTrue();
        assertThat(letter.path("value_bytes").asInt()).isEqualTo(value.length);
    }

    @Test
    void aLargeInvalidUtf8ValueIsCutThenBase64Encoded() throws Exception {
        byte[] value = new byte[2 * 1024 * 1024];
        Arrays.fill(value, (byte) 0xFF);

        byte[] published = OutputCodec.DEAD_LETTERS.value(letter(null, value));
        JsonNode letter = JSON.readTree(published);

        assertThat(published.length).isLessThan(PRODUCER_LIMIT / 2);
        assertThat(letter.path("value_encoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(letter.path("value").asText()))
                .isEqualTo(Arrays.copyOf(value, LIMIT));
        assertThat(letter.path("value_truncated").asBoolean()).isTrue();
        assertThat(letter.path("value_bytes").asInt()).isEqualTo(value.length);
    }

    @Test
    void aLargeKeyIsCutTheSameWay() throws Exception {
        JsonNode letter = publish(utf8("k".repeat(3 * LIMIT)), utf8("{}"));

        assertThat(letter.path("key").asText()).hasSize(LIMIT);
        assertThat(letter.path("key_truncated").asBoolean()).isTrue();
        assertThat(letter.path("key_bytes").asInt()).isEqualTo(3 * LIMIT);
        assertThat(letter.path("value").asText()).isEqualTo("{}");
    }

    private static JsonNode publish(byte[] key, byte[] value) throws Exception {
        return JSON.readTree(OutputCodec.DEAD_LETTERS.value(letter(key, value)));
    }

    private static DeadLetter letter(byte[] key, byte[] value) {
        return DeadLetter.of(
                "sales-online",
                2,
                41,
                null,
                key,
                value,
                RejectReason.MALFORMED_JSON,
                "not well-formed JSON");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
