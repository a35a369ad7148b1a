package com.salesaggregator.model.serialization;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Flink's serializer of strings, byte for byte ({@link StringSerializer}'s format: the length plus
 * one as a 7-bit var-int, then each character as a 7-bit var-int), but writing an ASCII string in
 * one call instead of one call per character. For a keyed stage with millions of string keys, such
 * as the dedup state keyed by sale identity, Flink's serializer spent 41% of each full snapshot
 * writing the keys' characters one by one (BENCHMARKS.md, "Where the job's time goes").
 *
 * <p>Its snapshot accepts state written by {@link StringSerializer} as it is (the bytes are the
 * same), so keyed state written before this serializer restores unchanged.
 */
public final class KeyStringSerializer extends ImmutableSerializer<String> {

    private static final long serialVersionUID = 1L;

    /** The one instance: the serializer has no configuration and no mutable fields. */
    public static final KeyStringSerializer INSTANCE = new KeyStringSerializer();

    /** A character below this is one byte in the format. */
    private static final int ONE_BYTE = 0x80;

    /** The longest var-int of a length. */
    private static final int MAX_LENGTH_BYTES = 5;

    @Override
    public String createInstance() {
        return "";
    }

    @Override
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the low bytes
    public void serialize(String value, DataOutputView out) throws IOException {
        if (value == null) {
            out.write(0);
            return;
        }
        int length = value.length();
        for (int i = 0; i < length; i++) {
            if (value.charAt(i) >= ONE_BYTE) {
                StringValue.writeString(value, out);
                return;
            }
        }
        byte[] bytes = new byte[MAX_LENGTH_BYTES + length];
        int position = 0;
        int lengthPlusOne = length + 1;
        while (lengthPlusOne >= ONE_BYTE) {
            bytes[position++] = (byte) (lengthPlusOne | ONE_BYTE);
            lengthPlusOne >>>= 7;
        }
        bytes[position++] = (byte) lengthPlusOne;
        // Every character is ASCII: its low byte is the whole of it.
        value.getBytes(0, length, bytes, position);
        out.write(bytes, 0, position + length);
    }

    @Override
    public String deserialize(DataInputView in) throws IOException {
        return StringValue.readString(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        StringValue.copyString(source, target);
    }

    @Override
    public TypeSerializerSnapshot<String> snapshotConfiguration() {
        return new KeyStringSerializerSnapshot();
    }

    /** The serializer's snapshot: no configuration, so only its version and class are written. */
    public static final class KeyStringSerializerSnapshot
            extends SimpleTypeSerializerSnapshot<String> {

        public KeyStringSerializerSnapshot() {
            super(() -> INSTANCE);
        }

        /** Also accepts state written by Flink's own string serializer: the same bytes. */
        @Override
        public TypeSerializerSchemaCompatibility<String> resolveSchemaCompatibility(
                TypeSerializerSnapshot<String> oldSerializerSnapshot) {
            if (oldSerializerSnapshot instanceof StringSerializer.StringSerializerSnapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAsIs();
            }
            return super.resolveSchemaCompatibility(oldSerializerSnapshot);
        }
    }
}
