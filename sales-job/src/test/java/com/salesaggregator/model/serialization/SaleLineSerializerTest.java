package com.salesaggregator.model.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.job.functions.SalePricing.WaitingLine;
import com.salesaggregator.model.Channel;
import com.salesaggregator.model.SaleLine;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SaleLineSerializerTest {

    private static final SaleLine ONLINE =
            new SaleLine(
                    "o-17",
                    Channel.ONLINE,
                    "o-17",
                    "seller-3",
                    null,
                    "EU-West",
                    "p-0042",
                    2,
                    new BigDecimal("19.99"),
                    "EUR",
                    1_767_225_600_123L,
                    11,
                    9_876_543_210L);

    private static final SaleLine STORE_LINE_WITH_ODD_VALUES =
            new SaleLine(
                    "r-9#12",
                    Channel.STORE,
                    "r-9",
                    "sëller-ü",
                    "store-東京",
                    "APAC",
                    "p-" + "x".repeat(300),
                    Integer.MAX_VALUE,
                    new BigDecimal("-1234567890123456789012345.6789"),
                    "JPY",
                    Long.MIN_VALUE,
                    0,
                    Long.MAX_VALUE);

    private static final SaleLine EMPTY_STRINGS =
            new SaleLine("", Channel.STORE, "", "", "", "", "", 1, BigDecimal.ZERO, "", 0L, 0, 0L);

    @Test
    void everyFieldSurvivesTheRoundTrip() throws IOException {
        for (SaleLine line : List.of(ONLINE, STORE_LINE_WITH_ODD_VALUES, EMPTY_STRINGS)) {
            assertThat(roundTrip(SaleLineSerializer.INSTANCE, line)).isEqualTo(line);
        }
    }

    @Test
    void linesWrittenBackToBackAreReadBackInOrder() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        List<SaleLine> lines = List.of(STORE_LINE_WITH_ODD_VALUES, ONLINE, EMPTY_STRINGS, ONLINE);
        for (SaleLine line : lines) {
            SaleLineSerializer.INSTANCE.serialize(line, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        List<SaleLine> read = new ArrayList<>();
        while (in.available() > 0) {
            read.add(SaleLineSerializer.INSTANCE.deserialize(in));
        }
        assertThat(read).isEqualTo(lines);
    }

    @Test
    void copyingSerializedBytesKeepsTheLine() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SaleLineSerializer.INSTANCE.serialize(STORE_LINE_WITH_ODD_VALUES, out);
        DataOutputSerializer copied = new DataOutputSerializer(64);
        SaleLineSerializer.INSTANCE.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
    }

    @Test
    void flinkUsesItForSaleLinesAndForRecordsHoldingThem() {
        assertThat(TypeInformation.of(SaleLine.class)).isEqualTo(SaleLineTypeInfo.INSTANCE);
        TypeInformation<WaitingLine> enriched = TypeInformation.of(WaitingLine.class);
        assertThat(enriched).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<WaitingLine> pojo = (PojoTypeInfo<WaitingLine>) enriched;
        assertThat(pojo.getTypeAt(pojo.getFieldIndex("line"))).isEqualTo(SaleLineTypeInfo.INSTANCE);
    }

    @Test
    void itsSnapshotRestoresItAndIsCompatibleWithItself() throws IOException {
        TypeSerializerSnapshot<SaleLine> restored =
                readSnapshot(SaleLineSerializer.INSTANCE.snapshotConfiguration());

        assertThat(restored.restoreSerializer()).isEqualTo(SaleLineSerializer.INSTANCE);
        assertThat(
                        SaleLineSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(restored)
                                .isCompatibleAsIs())
                .isTrue();
    }

    @Test
    void stateWrittenByThePojoSerializerIsMigrated() throws IOException {
        // What versions before this serializer wrote: Flink's POJO serializer of the record.
        TypeSerializer<SaleLine> pojoSerializer =
                Types.POJO(SaleLine.class, pojoFields())
                        .createSerializer(new SerializerConfigImpl());
        byte[] oldState = serialize(pojoSerializer, STORE_LINE_WITH_ODD_VALUES);
        TypeSerializerSnapshot<SaleLine> oldSnapshot =
                readSnapshot(pojoSerializer.snapshotConfiguration());

        TypeSerializerSchemaCompatibility<SaleLine> compatibility =
                SaleLineSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(oldSnapshot);

        assertThat(compatibility.isCompatibleAfterMigration()).isTrue();
        // Migration reads with the serializer restored from the old snapshot, writes with ours.
        SaleLine read =
                oldSnapshot.restoreSerializer().deserialize(new DataInputDeserializer(oldState));
        assertThat(roundTrip(SaleLineSerializer.INSTANCE, read))
                .isEqualTo(STORE_LINE_WITH_ODD_VALUES);
    }

    @Test
    void anUnrelatedSerializerIsIncompatible() throws IOException {
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<SaleLine> stringSnapshot =
                (TypeSerializerSnapshot)
                        readSnapshot(
                                Types.STRING
                                        .createSerializer(new SerializerConfigImpl())
                                        .snapshotConfiguration());

        assertThat(
                        SaleLineSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(stringSnapshot)
                                .isIncompatible())
                .isTrue();
    }

    private static Map<String, TypeInformation<?>> pojoFields() {
        Map<String, TypeInformation<?>> fields = new LinkedHashMap<>();
        fields.put("lineId", Types.STRING);
        fields.put("channel", Types.ENUM(Channel.class));
        fields.put("orderId", Types.STRING);
        fields.put("sellerId", Types.STRING);
        fields.put("storeId", Types.STRING);
        fields.put("region", Types.STRING);
        fields.put("productId", Types.STRING);
        fields.put("quantity", Types.INT);
        fields.put("unitPrice", Types.BIG_DEC);
        fields.put("currency", Types.STRING);
        fields.put("eventTime", Types.LONG);
        fields.put("sourcePartition", Types.INT);
        fields.put("sourceOffset", Types.LONG);
        return fields;
    }

    private static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws IOException {
        return serializer.deserialize(new DataInputDeserializer(serialize(serializer, value)));
    }

    private static <T> byte[] serialize(TypeSerializer<T> serializer, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        return out.getCopyOfBuffer();
    }

    private static <T> TypeSerializerSnapshot<T> readSnapshot(TypeSerializerSnapshot<T> snapshot)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()),
                SaleLineSerializerTest.class.getClassLoader());
    }
}
