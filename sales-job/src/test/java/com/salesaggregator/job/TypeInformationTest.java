package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.salesaggregator.job.functions.RegionMinuteAggregate;
import com.salesaggregator.job.functions.SalePricing;
import com.salesaggregator.job.functions.SellerMinuteAggregate;
import com.salesaggregator.job.records.FxRateInput;
import com.salesaggregator.job.records.LateLine;
import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.job.records.PricedLine;
import com.salesaggregator.job.records.ProductChange;
import com.salesaggregator.job.records.ProductInput;
import com.salesaggregator.job.records.ProductPane;
import com.salesaggregator.job.records.ProductWindowUnits;
import com.salesaggregator.job.records.ReferenceChange;
import com.salesaggregator.job.records.RegionMinute;
import com.salesaggregator.job.records.RunningTotal;
import com.salesaggregator.job.records.SaleInput;
import com.salesaggregator.job.records.SellerMinute;
import com.salesaggregator.job.records.SourcePosition;
import com.salesaggregator.job.serialization.LinePartialTypeInfo;
import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.SaleLine;
import com.salesaggregator.model.serialization.SaleLineTypeInfo;
import com.salesaggregator.output.DeadLetter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.BasicArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.CompositeType;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.api.java.typeutils.MapTypeInfo;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.SetTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** No Kryo on the data path: every record between operators or in state has a Flink serializer. */
class TypeInformationTest {

    /** Every type that flows between operators or lives in keyed or window state. */
    static Stream<Class<?>> dataPathTypes() {
        return Stream.of(
                SaleLine.class,
                SaleInput.class,
                ProductInput.class,
                ProductChange.class,
                FxRateInput.class,
                FxRate.class,
                ReferenceChange.class,
                SalePricing.WaitingLine.class,
                PricedLine.class,
                LinePartial.class,
                LateLine.class,
                DeadLetter.class,
                SellerMinute.class,
                RegionMinute.class,
                ProductPane.class,
                ProductWindowUnits.class,
                RunningTotal.class,
                SourcePosition.class,
                SalePricing.RateVersion.class,
                SellerMinuteAggregate.Accumulator.class,
                RegionMinuteAggregate.Accumulator.class);
    }

    @ParameterizedTest
    @MethodSource("dataPathTypes")
    void typeIsAPojoOrHasItsOwnSerializerWithNoGenericTypeAnywhereInside(Class<?> type) {
        TypeInformation<?> info = TypeInformation.of(type);

        // SaleLine, the record of the keyed exchange into the pricing stage, and LinePartial, the
        // record of the exchanges into the aggregates, have hand-written serializers.
        assertThat(info)
                .isInstanceOfAny(
                        PojoTypeInfo.class, SaleLineTypeInfo.class, LinePartialTypeInfo.class);
        assertThat(genericTypesIn(info, type.getSimpleName())).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("dataPathTypes")
    void serializerIsCreatedWithGenericTypesDisabledAsInTheJob(Class<?> type) {
        assertThat(TypeInformation.of(type).createSerializer(withoutGenericTypes())).isNotNull();
    }

    @Test
    void checksCatchAFieldThatWouldFallBackToKryo() {
        TypeInformation<?> info = TypeInformation.of(WithUntypedField.class);

        assertThat(genericTypesIn(info, "WithUntypedField"))
                .containsExactly("WithUntypedField.value: GenericType<java.lang.Object>");
        assertThatThrownBy(() -> info.createSerializer(withoutGenericTypes()))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    /** Has a field of a type Flink cannot analyse. */
    public static final class WithUntypedField {
        public Object value;
    }

    /** The serializer settings {@link JobEnvironment} gives the job. */
    private static SerializerConfig withoutGenericTypes() {
        Configuration configuration = new Configuration();
        configuration.set(PipelineOptions.GENERIC_TYPES, false);
        SerializerConfigImpl config = new SerializerConfigImpl(configuration);
        assertThat(config.hasGenericTypesDisabled()).isTrue();
        return config;
    }

    /** The paths of every generic (Kryo) type in {@code info}, fields and elements included. */
    private static List<String> genericTypesIn(TypeInformation<?> info, String path) {
        List<String> found = new ArrayList<>();
        collectGenericTypes(info, path, found);
        return found;
    }

    private static void collectGenericTypes(
            TypeInformation<?> info, String path, List<String> found) {
        if (info instanceof GenericTypeInfo<?>) {
            found.add(path + ": " + info);
        } else if (info instanceof CompositeType<?> composite) {
            String[] names = composite.getFieldNames();
            for (int i = 0; i < composite.getArity(); i++) {
                collectGenericTypes(composite.getTypeAt(i), path + "." + names[i], found);
            }
        } else if (info instanceof ListTypeInfo<?> list) {
            collectGenericTypes(list.getElementTypeInfo(), path + "[]", found);
        } else if (info instanceof SetTypeInfo<?> set) {
            collectGenericTypes(set.getElementTypeInfo(), path + "{}", found);
        } else if (info instanceof MapTypeInfo<?, ?> map) {
            collectGenericTypes(map.getKeyTypeInfo(), path + "<key>", found);
            collectGenericTypes(map.getValueTypeInfo(), path + "<value>", found);
        } else if (info instanceof ObjectArrayTypeInfo<?, ?> array) {
            collectGenericTypes(array.getComponentInfo(), path + "[]", found);
        } else if (info instanceof BasicArrayTypeInfo<?, ?> array) {
            collectGenericTypes(array.getComponentInfo(), path + "[]", found);
        }
    }
}
