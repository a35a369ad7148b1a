package com.salesaggregator.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8ValidationTest {

    @Test
    void agreesWithTheJdkDecoderOnRandomBytes() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(8)];
            random.nextBytes(bytes);

            assertThat(Utf8Validation.isValid(bytes))
                    .as("bytes %s", java.util.HexFormat.of().formatHex(bytes))
                    .isEqualTo(jdkAccepts(bytes));
        }
    }

    @Test
    void acceptsEveryPlaneOfUnicode() {
        String text = "a\u00e9\u20ac\uD83D\uDE00\u4e2d";

        assertThat(Utf8Validation.isValid(text.getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    @Test
    void pointsAtTheFirstBadByte() {
        assertThat(Utf8Validation.firstInvalidByte(new byte[] {'a', 'b', (byte) 0xFF}))
                .isEqualTo(2);
        assertThat(Utf8Validation.firstInvalidByte(new byte[] {'a', (byte) 0xC3})).isEqualTo(1);
    }

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
