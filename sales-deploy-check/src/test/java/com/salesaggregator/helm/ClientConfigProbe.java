package com.salesaggregator.helm;

import java.io.FileReader;
import java.io.IOException;
import java.io.Reader;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Run in a child JVM with the pod's environment: loads a client properties file the way the job and
 * the seeder do and prints what the Kafka client resolves its config references to.
 */
public final class ClientConfigProbe {

    private ClientConfigProbe() {}

    public static void main(String[] args) throws IOException {
        Properties properties = new Properties();
        try (Reader in = new FileReader(args[0])) {
            properties.load(in);
        }
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9093");
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        ProducerConfig config = new ProducerConfig(properties);
        System.out.println("sasl.jaas.config=" + config.getPassword("sasl.jaas.config").value());
        System.out.println(
                "ssl.truststore.password=" + config.getPassword("ssl.truststore.password").value());
    }
}
