package com.salesaggregator.model.serialization;

/**
 * Flink's type information of a string key serialized by {@link KeyStringSerializer}: what a {@code
 * keyBy} with many string keys names as its key type, so that its keyed state is snapshotted with
 * the faster serializer, in the same format as Flink's own.
 */
public final class KeyStringTypeInfo extends SingleSerializerTypeInfo<String> {

    private static final long serialVersionUID = 1L;

    /** The one instance. */
    public static final KeyStringTypeInfo INSTANCE = new KeyStringTypeInfo();

    private KeyStringTypeInfo() {
        super(String.class, KeyStringSerializer.INSTANCE, true);
    }
}
