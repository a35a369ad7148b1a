package com.salesaggregator.bench;

import com.salesaggregator.seeder.GeneratorConfig;
import com.salesaggregator.seeder.SalesGenerator;
import com.salesaggregator.seeder.Seeder;
import com.salesaggregator.seeder.SeederMetrics;
import com.salesaggregator.seeder.SeederRunner;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.verify.ReferenceModel;
import com.salesaggregator.verify.ReferenceModel.Expected;
import com.salesaggregator.verify.ReferenceModel.Fate;
import com.salesaggregator.verify.ReferenceModel.InputRecord;
import com.salesaggregator.verify.ReferenceModel.InputTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;

/**
 * The benchmark's data set: the seeder's realistic stream (both channels, catalog changes and
 * delistings, FX updates every 30 s, out-of-order sales, upstream resends at the seeder's default
 * share) preloaded once in bulk, and what the reference model says every contender must publish for
 * it.
 *
 * <p>No sale is planned late: which lines are late depends on when they reach an aggregation, so a
 * replay from a backlog (where partitions are read at uneven speeds) would find a different set on
 * every run and in every contender. No record is malformed: what counts as malformed is the
 * decoder's business (Flink's JSON format, for one, reads {@code "quantity":"2"} as 2 where the
 * project's codec rejects it), and the job's dead letters are tested elsewhere; the job still
 * validates every record in full. The event times are fixed (the seed decides everything), so every
 * run of {@code make bench} measures the same records.
 *
 * @param expected the five aggregates (the reference model's other results are dropped)
 * @param saleRecords records on the two sales topics (orders, receipts, malformed, resends)
 * @param saleLines sale lines in them: the benchmark's events
 * @param decodedLines lines of the records the codec accepts (first deliveries and resends)
 * @param countedLines lines every contender must count in its aggregates
 * @param rejectedRecords sales records the codec rejects
 * @param deadLetters entries the job must publish to sales-dlq
 * @param inputRecords every record of the four input topics
 * @param eventSpan event time from the first to the last sale
 */
record DataSet(
        Expected expected,
        long saleRecords,
        long saleLines,
        long decodedLines,
        long countedLines,
        long rejectedRecords,
        long deadLetters,
        long inputRecords,
        Duration eventSpan) {

    /** Event time of the first sale: fixed, so that every run measures the same bytes. */
    static final Instant START = Instant.parse("2026-01-05T08:00:00Z");

    /** Sales per second of event time: the seeder's default pace. */
    static final double EVENT_RATE = 100;

    /** Lines per sale on average: 60% one-line orders, 40% receipts of 1 to 5 lines. */
    private static final double LINES_PER_SALE = 0.6 + 0.4 * 3;

    static final InputTopics INPUTS =
            new InputTopics(
                    Topic.SALES_ONLINE.topicName(),
                    Topic.SALES_STORE.topicName(),
                    Topic.PRODUCTS.topicName(),
                    Topic.FX_RATES.topicName());

    static final List<String> INPUT_TOPICS = Topic.names(Topic.Role.SALES, Topic.Role.REFERENCE);

    /**
     * The seeder's defaults for {@code seed}, without planned late or malformed sales, and with
     * every on-time sale out of order.
     */
    static GeneratorConfig generatorConfig(long seed, Instant start, double rate) {
        GeneratorConfig d = GeneratorConfig.defaults(seed, start);
        return new GeneratorConfig(
                d.seed(),
                d.startTime(),
                rate,
                d.catalogSize(),
                d.sellers(),
                d.stores(),
                d.regions(),
                d.currencies(),
                d.onlineFraction(),
                d.maxOutOfOrderness(),
                // Every on-time sale anywhere within the out-of-orderness, as before the seeder's
                // share existed: the data set, and the figures measured on it, stay comparable.
                1.0,
                0,
                d.lateBy(),
                0,
                d.fxUpdateInterval(),
                d.catalogChangeInterval(),
                d.resendFraction());
    }

    /**
     * Preloads about {@code lines} sale lines with the seeder in bulk mode, then reads them back.
     */
    static DataSet preload(BenchKafka kafka, long lines, long seed) throws Exception {
        kafka.createTopics("", INPUT_TOPICS);
        long sales = Math.max(1, Math.round(lines / LINES_PER_SALE));
        GeneratorConfig config = generatorConfig(seed, START, EVENT_RATE);
        Progress.line(
                "preload: the seeder in bulk mode, seed %d, %,d sales (about %,d lines) from %s",
                seed, sales, lines, START);
        long started = System.nanoTime();
        SeederRunner.Progress sent;
        try (Producer<byte[], byte[]> producer =
                new KafkaProducer<>(Seeder.producerProperties(kafka.bootstrapServers(), null))) {
            SeederRunner runner =
                    new SeederRunner(
                            new SalesGenerator(config),
                            producer,
                            new SeederRunner.Settings(
                                    EVENT_RATE, true, sales, null, Duration.ofSeconds(10)),
                            new SeederMetrics(),
                            line -> Progress.line("preload: %s", line));
            runner.run();
            sent = runner.progress();
            if (sent.errors() > 0) {
                throw new IllegalStateException("the seeder failed to send " + sent.errors());
            }
        }
        Progress.line(
                "preload: %,d sales (%,d lines) in %.1f s",
                sent.salesSent(), sent.linesSent(), Progress.seconds(started));

        started = System.nanoTime();
        List<InputRecord> input = readInputs(kafka);
        Expected expected = ReferenceModel.compute(input, INPUTS, Set.of());
        long saleRecords =
                input.stream()
                        .filter(
                                r ->
                                        r.topic().equals(Topic.SALES_ONLINE.topicName())
                                                || r.topic().equals(Topic.SALES_STORE.topicName()))
                        .count();
        long counted = expected.fates().values().stream().filter(f -> f == Fate.COUNTED).count();
        long rejected =
                expected.deadLetters().stream()
                        .filter(
                                d ->
                                        d.lineId() == null
                                                && (d.sourceTopic()
                                                                .equals(
                                                                        Topic.SALES_ONLINE
                                                                                .topicName())
                                                        || d.sourceTopic()
                                                                .equals(
                                                                        Topic.SALES_STORE
                                                                                .topicName())))
                        .count();
        long firstSale = Long.MAX_VALUE;
        long lastSale = Long.MIN_VALUE;
        for (ReferenceModel.Line line : expected.lines()) {
            firstSale = Math.min(firstSale, line.eventTime());
            lastSale = Math.max(lastSale, line.eventTime());
        }
        long linesInRecords = expected.lines().size() + expected.resends().size();
        // Only the figures stay: the lines and fates of millions of lines would weigh on the heap
        // every contender is measured in.
        Expected figures =
                new Expected(
                        expected.revenuePerSeller(),
                        expected.unitsPerProduct(),
                        expected.regionTrend(),
                        expected.revenuePerProduct(),
                        expected.salesPerRegion(),
                        List.of(),
                        Map.of(),
                        List.of(),
                        Map.of(),
                        List.of());
        DataSet data =
                new DataSet(
                        figures,
                        saleRecords,
                        sent.linesSent(),
                        linesInRecords,
                        counted,
                        rejected,
                        expected.deadLetters().size(),
                        input.size(),
                        Duration.ofMillis(lastSale - firstSale));
        Progress.line(
                "reference model: %,d input records, %,d sale records with %,d lines (%,d in"
                        + " decodable records), %,d counted, %,d dead letters, %s of event time"
                        + " (%.1f s)",
                data.inputRecords(),
                saleRecords,
                data.saleLines(),
                linesInRecords,
                counted,
                expected.deadLetters().size(),
                data.eventSpan(),
                Progress.seconds(started));
        return data;
    }

    /** Every record of the four input topics, as the broker stored them. */
    static List<InputRecord> readInputs(BenchKafka kafka) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : INPUT_TOPICS) {
            partitions.addAll(kafka.partitionsOf(topic, kafka.partitions(topic)));
        }
        Map<TopicPartition, Long> ends = kafka.committedEnds(partitions);
        List<InputRecord> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProps())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    records.add(
                            new InputRecord(
                                    r.topic(),
                                    r.partition(),
                                    r.offset(),
                                    r.key(),
                                    r.value(),
                                    r.timestamp()));
                }
            }
        }
        return records;
    }
}
