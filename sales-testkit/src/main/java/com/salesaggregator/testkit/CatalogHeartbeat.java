package com.salesaggregator.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.job.JobConfig;
import com.salesaggregator.model.ReferenceHeartbeat;
import com.salesaggregator.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Publishes reference heartbeats (key {@code __heartbeat-<partition>}) on every partition of {@code
 * products} and {@code fx-rates}, as a reference publisher does, keeping the reference sources
 * active through the drain, so that the end of event time reaches every operator. Flink 2.2 drops
 * the final watermark of a source that is idle at drain (FLINK-40499: {@code
 * advanceToEndOfEventTime()} emits MAX_WATERMARK without re-announcing ACTIVE, and task outputs
 * drop watermarks while IDLE). When every source is idle by then, nothing would fire before the
 * final savepoint: the windows would fire after it, into a transaction that is never committed. The
 * heartbeat time is the watermark the sales reach with the run's latest sale (its event time minus
 * the job's default out-of-orderness, minus 1 ms): no reference change of the run comes after it,
 * it changes no output, and it neither holds event time back nor moves it further. Start it only
 * after the data's windows have fired, so that it cannot move the watermark while the sales are
 * still being read.
 */
public final class CatalogHeartbeat implements AutoCloseable {

    private static final List<String> REFERENCE_TOPICS = Topic.names(Topic.Role.REFERENCE);

    private final Admin admin;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    private final List<RecordMetadata> first = new ArrayList<>();

    private CatalogHeartbeat(ItKafka kafka, RunTopics topics, long latestEventTime)
            throws Exception {
        admin = kafka.admin();
        producer = new KafkaProducer<>(kafka.producerProps());
        // While the sales partitions are idle the reference sources alone set the watermark, which
        // must stay where the sales left it.
        long heartbeatTime = latestEventTime - JobConfig.defaults().outOfOrderness().toMillis() - 1;
        for (Planned beat : planned(topics, heartbeatTime)) {
            records.add(
                    new ProducerRecord<>(
                            topics.of(beat.topic()),
                            beat.partition(),
                            beat.timestamp(),
                            beat.key(),
                            beat.value()));
        }
        for (ProducerRecord<byte[], byte[]> record : records) {
            first.add(producer.send(record).get(ItKafka.WAIT.toSeconds(), TimeUnit.SECONDS));
        }
    }

    /**
     * A heartbeat at {@code time} on every partition of {@code products} and {@code fx-rates}, as a
     * reference publisher sends them: on every partition, so that every subtask of both reference
     * sources stays active, however the partitions are spread.
     */
    static List<Planned> planned(RunTopics topics, long time) {
        EventCodec codec = EventCodec.withDefaults();
        List<Planned> beats = new ArrayList<>();
        for (String topic : REFERENCE_TOPICS) {
            for (TopicPartition partition : topics.partitionsOf(topic)) {
                int p = partition.partition();
                beats.add(
                        new Planned(
                                topic,
                                p,
                                EventCodec.heartbeatKey(p).getBytes(StandardCharsets.UTF_8),
                                codec.encode(new ReferenceHeartbeat(p, Instant.ofEpochMilli(time))),
                                time));
            }
        }
        return beats;
    }

    /**
     * Publishes the heartbeats now and every 200 ms until closed, at the watermark the sales reach
     * with their latest event time {@code latestEventTime}.
     */
    public static CatalogHeartbeat start(ItKafka kafka, RunTopics topics, long latestEventTime)
            throws Exception {
        CatalogHeartbeat heartbeat = new CatalogHeartbeat(kafka, topics, latestEventTime);
        heartbeat.timer.scheduleAtFixedRate(
                () -> heartbeat.records.forEach(heartbeat.producer::send),
                200,
                200,
                TimeUnit.MILLISECONDS);
        return heartbeat;
    }

    /** Whether the job has checkpointed a position past the first heartbeat on every partition. */
    public boolean readBy(String groupId) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(groupId)
                        .partitionsToOffsetAndMetadata()
                        .get(ItKafka.WAIT.toSeconds(), TimeUnit.SECONDS);
        for (RecordMetadata sent : first) {
            OffsetAndMetadata at =
                    committed.get(new TopicPartition(sent.topic(), sent.partition()));
            if (at == null || at.offset() <= sent.offset()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        assertThat(timer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        producer.close();
    }
}
