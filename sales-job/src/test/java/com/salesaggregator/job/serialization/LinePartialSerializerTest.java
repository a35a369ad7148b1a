package com.salesaggregator.job.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.job.records.LinePartial;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class LinePartialSerializerTest {

    private static final LinePartial SELLER =
            new LinePartial(
                    "seller-3",
                    1_767_225_600_123L,
                    null,
                    null,
                    Set.of("o-17", "r-9", "o-ü東京"),
                    7,
                    12_345,
                    -678);

    private static final LinePartial PRODUCT =
            new LinePartial(
                    "p-0042",
                    Long.MIN_VALUE,
                    "Wireless mouse — ergonomic",
                    "electronics",
                    Set.of(),
                    Long.MAX_VALUE,
                    Long.MIN_VALUE,
                    0);

    private static final LinePartial EMPTY_STRINGS =
            new LinePartial("", 0, "", "", Set.of(""), 0, 0, 0);

    @Test
    void everyFieldSurvivesTheRoundTrip() throws IOException {
        for (LinePartial partial : List.of(SELLER, PRODUCT, EMPTY_STRINGS, manyOrders())) {
            assertThat(roundTrip(partial)).isEqualTo(partial);
        }
    }

    @Test
    void partialsWrittenBackToBackAreReadBackInOrder() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        List<LinePartial> partials = List.of(PRODUCT, SELLER, manyOrders(), EMPTY_STRINGS, SELLER);
        for (LinePartial partial : partials) {
            LinePartialSerializer.INSTANCE.serialize(partial, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        List<LinePartial> read = new ArrayList<>();
        while (in.available() > 0) {
            read.add(LinePartialSerializer.INSTANCE.deserialize(in));
        }
        assertThat(read).isEqualTo(partials);
    }

    @Test
    void copyingSerializedBytesKeepsThePartial() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        LinePartialSerializer.INSTANCE.serialize(SELLER, out);
        DataOutputSerializer copied = new DataOutputSerializer(64);
        LinePartialSerializer.INSTANCE.copy(
                new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(
                        LinePartialSerializer.INSTANCE.deserialize(
                                new DataInputDeserializer(copied.getCopyOfBuffer())))
                .isEqualTo(SELLER);
    }

    @Test
    void flinkUsesItForPartials() {
        assertThat(TypeInformation.of(LinePartial.class)).isEqualTo(LinePartialTypeInfo.INSTANCE);
    }

    @Test
    void itsSnapshotRestoresItAndIsCompatibleWithItself() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(
                out, LinePartialSerializer.INSTANCE.snapshotConfiguration());
        TypeSerializerSnapshot<LinePartial> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(out.getCopyOfBuffer()),
                        LinePartialSerializerTest.class.getClassLoader());

        assertThat(restored.restoreSerializer()).isEqualTo(LinePartialSerializer.INSTANCE);
        assertThat(
                        LinePartialSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(restored)
                                .isCompatibleAsIs())
                .isTrue();
    }

    /** A seller's busy minute: more order ids than one var-int byte counts. */
    private static LinePartial manyOrders() {
        Set<String> orders = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            orders.add("o-" + i);
        }
        return new LinePartial("seller-1", 42, null, null, orders, 300, 30_000, 3_000);
    }

    private static LinePartial roundTrip(LinePartial partial) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        LinePartialSerializer.INSTANCE.serialize(partial, out);
        return LinePartialSerializer.INSTANCE.deserialize(
                new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
