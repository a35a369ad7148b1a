package com.salesaggregator.bench.streams;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A compact binary {@link Serde} written by hand for one record type, as a careful Kafka Streams
 * user writes for the records that cross repartition topics and state stores (JSON there would cost
 * a parse per hop).
 */
final class PeerSerde {

    private PeerSerde() {}

    @FunctionalInterface
    interface Writer<T> {
        void write(T value, DataOutputStream out) throws IOException;
    }

    @FunctionalInterface
    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    static <T> Serde<T> of(Writer<T> writer, Reader<T> reader) {
        Serializer<T> serializer =
                (topic, value) -> {
                    if (value == null) {
                        return null;
                    }
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
                    try (DataOutputStream out = new DataOutputStream(bytes)) {
                        writer.write(value, out);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return bytes.toByteArray();
                };
        Deserializer<T> deserializer =
                (topic, data) -> {
                    if (data == null) {
                        return null;
                    }
                    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                        return reader.read(in);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                };
        return Serdes.serdeFrom(serializer, deserializer);
    }

    static void writeDecimal(BigDecimal value, DataOutputStream out) throws IOException {
        byte[] unscaled = value.unscaledValue().toByteArray();
        out.writeByte(value.scale());
        out.writeByte(unscaled.length);
        out.write(unscaled);
    }

    static BigDecimal readDecimal(DataInputStream in) throws IOException {
        int scale = in.readByte();
        byte[] unscaled = new byte[in.readByte()];
        in.readFully(unscaled);
        return new BigDecimal(new BigInteger(unscaled), scale);
    }

    static void writeNullable(String value, DataOutputStream out) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
