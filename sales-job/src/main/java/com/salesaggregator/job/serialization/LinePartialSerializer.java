package com.salesaggregator.job.serialization;

import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.model.serialization.CompactStrings;
import com.salesaggregator.model.serialization.ImmutableSerializer;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer of {@link LinePartial}, the record of the five exchanges from the
 * pre-aggregations to the aggregates: the fields in declaration order, without the POJO
 * serializer's reflection and per-field null flags, and the seller partials' order ids written in
 * bulk (through Flink's set and string serializers they were a tenth of the pricing stage's time).
 *
 * <p>Format (version 1): {@code key, latestEventTime (long), name, category, orders (a var-int
 * count, then the ids), units, revenueCents, marginCents (longs)}; strings as {@link
 * CompactStrings}. No state holds partials: they only cross the network, so this format never
 * reaches a savepoint. A partial is never changed once emitted (the pre-aggregation hands each one
 * on and starts a new one), so it is never copied.
 */
public final class LinePartialSerializer extends ImmutableSerializer<LinePartial> {

    private static final long serialVersionUID = 1L;

    /** The one instance: the serializer has no configuration and no mutable fields. */
    public static final LinePartialSerializer INSTANCE = new LinePartialSerializer();

    @Override
    public void serialize(LinePartial partial, DataOutputView out) throws IOException {
        CompactStrings.write(partial.key(), out);
        out.writeLong(partial.latestEventTime());
        CompactStrings.write(partial.name(), out);
        CompactStrings.write(partial.category(), out);
        Set<String> orders = partial.orders();
        CompactStrings.writeVarInt(orders.size(), out);
        for (String order : orders) {
            CompactStrings.write(order, out);
        }
        out.writeLong(partial.units());
        out.writeLong(partial.revenueCents());
        out.writeLong(partial.marginCents());
    }

    @Override
    public LinePartial deserialize(DataInputView in) throws IOException {
        String key = CompactStrings.read(in);
        long latestEventTime = in.readLong();
        String name = CompactStrings.read(in);
        String category = CompactStrings.read(in);
        int count = CompactStrings.readVarInt(in);
        Set<String> orders;
        if (count == 0) {
            orders = Set.of();
        } else {
            orders = new HashSet<>(count * 2);
            for (int i = 0; i < count; i++) {
                orders.add(CompactStrings.read(in));
            }
        }
        return new LinePartial(
                key,
                latestEventTime,
                name,
                category,
                orders,
                in.readLong(),
                in.readLong(),
                in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<LinePartial> snapshotConfiguration() {
        return new LinePartialSerializerSnapshot();
    }

    /** The serializer's snapshot: no configuration, so only its version and class are written. */
    public static final class LinePartialSerializerSnapshot
            extends SimpleTypeSerializerSnapshot<LinePartial> {

        public LinePartialSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
