package com.salesaggregator.model.serialization;

import com.salesaggregator.model.SaleLine;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Flink's type information of {@link SaleLine}: an atomic type serialized by {@link
 * SaleLineSerializer}. {@code SaleLine} names {@link Factory} in its {@code @TypeInfo} annotation,
 * so every {@code TypeInformation.of(SaleLine.class)}, and every record holding a sale line, uses
 * it.
 */
public final class SaleLineTypeInfo extends SingleSerializerTypeInfo<SaleLine> {

    private static final long serialVersionUID = 1L;

    /** The one instance. */
    public static final SaleLineTypeInfo INSTANCE = new SaleLineTypeInfo();

    private SaleLineTypeInfo() {
        super(SaleLine.class, SaleLineSerializer.INSTANCE, false);
    }

    /** What {@code @TypeInfo} on {@link SaleLine} points the type extractor to. */
    public static final class Factory extends TypeInfoFactory<SaleLine> {
        @Override
        public TypeInformation<SaleLine> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
