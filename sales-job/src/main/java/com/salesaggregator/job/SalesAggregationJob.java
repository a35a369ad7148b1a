package com.salesaggregator.job;

import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;

/**
 * The aggregation job's entry point: parses the options ({@link JobConfig}), wires the topology to
 * Kafka and runs it.
 */
public final class SalesAggregationJob {

    /** The job name shown in the Flink UI and REST API. */
    public static final String NAME = "sales-aggregator";

    /**
     * What {@link ParameterTool} stores for {@code --key} without a value (a protected constant).
     */
    private static final String NO_VALUE = "__NO_VALUE_KEY";

    private SalesAggregationJob() {}

    public static void main(String[] args) throws Exception {
        if (java.util.Arrays.asList(args).contains("--help")) {
            System.out.print(SalesJobOptions.usage());
            return;
        }
        JobConfig config = parse(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        define(env, config);
        env.execute(NAME);
    }

    /** The configuration from {@code --key value} arguments; fails fast naming a bad key. */
    public static JobConfig parse(String[] args) {
        Map<String, String> values = ParameterTool.fromArgs(args).toMap();
        for (Map.Entry<String, String> entry : values.entrySet()) {
            // ParameterTool's marker for a key given without a value; unchecked it would become
            // e.g. the bootstrap servers or a topic name.
            if (NO_VALUE.equals(entry.getValue())) {
                throw new IllegalArgumentException(entry.getKey() + " needs a value");
            }
        }
        return JobConfig.from(values);
    }

    /** Adds the configured, Kafka-wired job to {@code env}. */
    public static void define(StreamExecutionEnvironment env, JobConfig config) {
        JobEnvironment.configure(env, config);
        SalesTopology.build(
                KafkaConnectors.sources(env, config), KafkaConnectors.sinks(config), config);
    }
}
