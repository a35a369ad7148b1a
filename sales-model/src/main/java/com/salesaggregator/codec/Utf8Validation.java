package com.salesaggregator.codec;

/**
 * Strict UTF-8 well-formedness (RFC 3629): no overlong forms, surrogates or code points above
 * U+10FFFF.
 */
public final class Utf8Validation {

    private Utf8Validation() {}

    /** Whether {@code bytes} is well-formed UTF-8. */
    public static boolean isValid(byte[] bytes) {
        return firstInvalidByte(bytes) < 0;
    }

    /** The offset of the first byte that breaks UTF-8, or -1 if all of {@code bytes} is valid. */
    public static int firstInvalidByte(byte[] bytes) {
        int i = 0;
        int n = bytes.length;
        while (i < n) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                i++;
                continue;
            }
            int length;
            int secondMin = 0x80;
            int secondMax = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
                if (b == 0xE0) {
                    secondMin = 0xA0; // overlong
                } else if (b == 0xED) {
                    secondMax = 0x9F; // UTF-16 surrogates
                }
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
                if (b == 0xF0) {
                    secondMin = 0x90; // overlong
                } else if (b == 0xF4) {
                    secondMax = 0x8F; // above U+10FFFF
                }
            } else {
                return i;
            }
            if (i + length > n) {
                return i;
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < secondMin || second > secondMax) {
                return i;
            }
            for (int k = 2; k < length; k++) {
                int next = bytes[i + k] & 0xFF;
                if (next < 0x80 || next > 0xBF) {
                    return i;
                }
            }
            i += length;
        }
        return -1;
    }
}
