package com.salesaggregator.model.serialization;

import com.salesaggregator.model.SaleLine;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's type information of {@link SaleLine}: an atomic type serialized by {@link
 * SaleLineSerializer}. {@code SaleLine} names {@link Factory} in its {@code @TypeInfo} annotation,
 * so every {@code TypeInformation.of(SaleLine.class)}, and every record holding a sale line, uses
 * it.
 */
public final class SaleLineTypeInfo extends TypeInformation<SaleLine> {

    private static final long serialVersionUID = 1L;

    /** The one instance. */
    public static final SaleLineTypeInfo INSTANCE = new SaleLineTypeInfo();

    /** What {@code @TypeInfo} on {@link SaleLine} points the type extractor to. */
    public static final class Factory extends TypeInfoFactory<SaleLine> {
        @Override
        public TypeInformation<SaleLine> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

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
    public Class<SaleLine> getTypeClass() {
        return SaleLine.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<SaleLine> createSerializer(SerializerConfig config) {
        return SaleLineSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "SaleLineTypeInfo";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof SaleLineTypeInfo;
    }

    @Override
    public int hashCode() {
        return SaleLineTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof SaleLineTypeInfo;
    }
}
