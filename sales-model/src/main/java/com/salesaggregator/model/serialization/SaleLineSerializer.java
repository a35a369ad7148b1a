package com.salesaggregator.model.serialization;

import com.salesaggregator.model.Channel;
import com.salesaggregator.model.SaleLine;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.BigDecSerializer;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer of {@link SaleLine}, the record that crosses the job's keyed exchanges and
 * waits in its keyed state: the fields in declaration order, without the reflection and the
 * per-field null flags of the POJO serializer, strings as length-prefixed UTF-8 (the JDK copies an
 * ASCII string's bytes in one go, where Flink's string codec encodes character by character).
 *
 * <p>Format (version 1): {@code lineId, channel (byte), orderId, sellerId, storeId, region,
 * productId, quantity (int), unitPrice (BigDecSerializer), currency, eventTime (long),
 * sourcePartition (int), sourceOffset (long)}; strings as {@link CompactStrings}. State written by
 * the POJO serializer (savepoints of versions before this serializer) is migrated on restore.
 */
public final class SaleLineSerializer extends ImmutableSerializer<SaleLine> {

    private static final long serialVersionUID = 1L;

    /** The one instance: the serializer has no configuration and no mutable fields. */
    public static final SaleLineSerializer INSTANCE = new SaleLineSerializer();

    private static final Channel[] CHANNELS = Channel.values();

    @Override
    public void serialize(SaleLine line, DataOutputView out) throws IOException {
        writeString(line.lineId(), out);
        out.writeByte(line.channel().ordinal());
        writeString(line.orderId(), out);
        writeString(line.sellerId(), out);
        writeString(line.storeId(), out);
        writeString(line.region(), out);
        writeString(line.productId(), out);
        out.writeInt(line.quantity());
        BigDecSerializer.INSTANCE.serialize(line.unitPrice(), out);
        writeString(line.currency(), out);
        out.writeLong(line.eventTime());
        out.writeInt(line.sourcePartition());
        out.writeLong(line.sourceOffset());
    }

    @Override
    public SaleLine deserialize(DataInputView in) throws IOException {
        return new SaleLine(
                readString(in),
                CHANNELS[in.readByte()],
                readString(in),
                readString(in),
                readString(in),
                readString(in),
                readString(in),
                in.readInt(),
                BigDecSerializer.readBigDecimal(in),
                readString(in),
                in.readLong(),
                in.readInt(),
                in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<SaleLine> snapshotConfiguration() {
        return new SaleLineSerializerSnapshot();
    }

    private static void writeString(String value, DataOutputView out) throws IOException {
        CompactStrings.write(value, out);
    }

    private static String readString(DataInputView in) throws IOException {
        return CompactStrings.read(in);
    }

    /** The serializer's snapshot: no configuration, so only its version and class are written. */
    public static final class SaleLineSerializerSnapshot
            extends SimpleTypeSerializerSnapshot<SaleLine> {

        public SaleLineSerializerSnapshot() {
            super(() -> INSTANCE);
        }

        /**
         * Also accepts state of sale lines written by Flink's POJO serializer (before this
         * serializer existed): it is read with that serializer and rewritten with this one.
         */
        @Override
        public TypeSerializerSchemaCompatibility<SaleLine> resolveSchemaCompatibility(
                TypeSerializerSnapshot<SaleLine> oldSerializerSnapshot) {
            if (oldSerializerSnapshot instanceof PojoSerializerSnapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return super.resolveSchemaCompatibility(oldSerializerSnapshot);
        }
    }
}
