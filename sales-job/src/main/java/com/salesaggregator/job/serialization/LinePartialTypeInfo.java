package com.salesaggregator.job.serialization;

import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.model.serialization.SingleSerializerTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Flink's type information of {@link LinePartial}: an atomic type serialized by {@link
 * LinePartialSerializer}. {@code LinePartial} names {@link Factory} in its {@code @TypeInfo}
 * annotation, so every {@code TypeInformation.of(LinePartial.class)} uses it.
 */
public final class LinePartialTypeInfo extends SingleSerializerTypeInfo<LinePartial> {

    private static final long serialVersionUID = 1L;

    /** The one instance. */
    public static final LinePartialTypeInfo INSTANCE = new LinePartialTypeInfo();

    private LinePartialTypeInfo() {
        super(LinePartial.class, LinePartialSerializer.INSTANCE, false);
    }

    /** What {@code @TypeInfo} on {@link LinePartial} points the type extractor to. */
    public static final class Factory extends TypeInfoFactory<LinePartial> {
        @Override
        public TypeInformation<LinePartial> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
