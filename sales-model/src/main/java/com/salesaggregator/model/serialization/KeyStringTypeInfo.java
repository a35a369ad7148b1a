package com.salesaggregator.model.serialization;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's type information of a string key serialized by {@link KeyStringSerializer}: what a {@code
 * keyBy} with many string keys names as its key type, so that its keyed state is snapshotted with
 * the faster serializer, in the same format as Flink's own.
 */
public final class KeyStringTypeInfo extends TypeInformation<String> {

    private static final long serialVersionUID = 1L;

    /** The one instance. */
    public static final KeyStringTypeInfo INSTANCE = new KeyStringTypeInfo();

    private KeyStringTypeInfo() {}

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<String> getTypeClass() {
        return String.class;
    }

    @Override
    public boolean isKeyType() {
        return true;
    }

    @Override
    public TypeSerializer<String> createSerializer(SerializerConfig config) {
        return KeyStringSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "KeyStringTypeInfo";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof KeyStringTypeInfo;
    }

    @Override
    public int hashCode() {
        return KeyStringTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof KeyStringTypeInfo;
    }
}
