package com.salesaggregator.model.serialization;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The string and count format of this project's own serializers: a string is a var-int of its UTF-8
 * byte length plus one (0 for null) followed by its bytes, written in one go (the JDK copies an
 * ASCII string's bytes at once, where Flink's string codec encodes character by character).
 */
public final class CompactStrings {

    private CompactStrings() {}

    /** Writes {@code value} (may be null). */
    public static void write(String value, DataOutputView out) throws IOException {
        if (value == null) {
            writeVarInt(0, out);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        writeVarInt(bytes.length + 1, out);
        out.write(bytes);
    }

    /** Reads a string written by {@link #write} (may be null). */
    public static String read(DataInputView in) throws IOException {
        int lengthPlusOne = readVarInt(in);
        if (lengthPlusOne == 0) {
            return null;
        }
        byte[] bytes = new byte[lengthPlusOne - 1];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Writes a non-negative int in 1 to 5 bytes, 7 bits at a time, low bits first. */
    public static void writeVarInt(int value, DataOutputView out) throws IOException {
        while ((value & ~0x7F) != 0) {
            out.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }

    /** Reads an int written by {@link #writeVarInt}. */
    public static int readVarInt(DataInputView in) throws IOException {
        int value = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            byte b = in.readByte();
            value |= (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IOException("malformed var-int in serialized data");
    }
}
