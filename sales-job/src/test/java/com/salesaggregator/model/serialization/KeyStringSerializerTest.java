package com.salesaggregator.model.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KeyStringSerializerTest {

    /** Sale identities, and strings at the edges of the format's length and character encoding. */
    static List<String> strings() {
        return List.of(
                "ONLINE:o-17",
                "STORE:r-42",
                "",
                "\0",
                "x".repeat(126),
                "x".repeat(127),
                "x".repeat(128),
                "y".repeat(16_383),
                "y".repeat(16_384),
                "\u007f",
                "\u0080",
                "ONLINE:o-ü",
                "STORE:東京-1",
                "emoji \uD83D\uDE00 and \uFFFF");
    }

    @ParameterizedTest
    @MethodSource("strings")
    void writesTheBytesOfFlinksStringSerializer(String value) throws IOException {
        assertThat(bytes(KeyStringSerializer.INSTANCE, value))
                .isEqualTo(bytes(StringSerializer.INSTANCE, value));
    }

    @ParameterizedTest
    @MethodSource("strings")
    void readsBackWhatItWrote(String value) throws IOException {
        DataInputDeserializer in =
                new DataInputDeserializer(bytes(KeyStringSerializer.INSTANCE, value));
        assertThat(KeyStringSerializer.INSTANCE.deserialize(in)).isEqualTo(value);
        assertThat(in.available()).isZero();
    }

    @Test
    void writesNullAsFlinksStringSerializerDoes() throws IOException {
        assertThat(bytes(KeyStringSerializer.INSTANCE, null))
                .isEqualTo(bytes(StringSerializer.INSTANCE, null));
    }

    @Test
    void stateWrittenByFlinksStringSerializerRestoresAsItIs() {
        TypeSerializerSchemaCompatibility<String> compatibility =
                KeyStringSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(
                                StringSerializer.INSTANCE.snapshotConfiguration());

        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }

    @Test
    void stateOfItsOwnRestoresAsItIsAndOfAnotherTypeDoesNot() {
        assertThat(
                        KeyStringSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(
                                        KeyStringSerializer.INSTANCE.snapshotConfiguration())
                                .isCompatibleAsIs())
                .isTrue();
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSchemaCompatibility<String> ofInts =
                KeyStringSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(
                                (org.apache.flink.api.common.typeutils.TypeSerializerSnapshot)
                                        IntSerializer.INSTANCE.snapshotConfiguration());
        assertThat(ofInts.isIncompatible()).isTrue();
    }

    private static byte[] bytes(TypeSerializer<String> serializer, String value)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        return out.getCopyOfBuffer();
    }
}
