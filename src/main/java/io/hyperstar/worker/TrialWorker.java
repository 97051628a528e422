package io.hyperstar.worker;

import io.hyperstar.events.Topics;
import io.hyperstar.events.TrialCompleted;
import io.hyperstar.events.TrialRequested;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serdes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The reference trainer fleet member: consumes trial requests, runs each with a {@link TrialRunner} and
 * publishes the answer in the same Kafka transaction as the consumed offset, so every accepted request is
 * answered once. Unreadable requests are answered on the dead-letter topic; the worker never stops on input.
 */
public final class TrialWorker implements Runnable, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TrialWorker.class);

    private final Topics topics;
    private final TrialRunner runner;
    private final String workerId;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private long answered;

    public TrialWorker(String bootstrap, Topics topics, TrialRunner runner, String workerId, String groupId, Duration maxTrialTime) {
        this.topics = topics;
        this.runner = runner;
        this.workerId = workerId;
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // One trial at a time: a long training must not hold other requests hostage, nor outlive the poll interval.
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, maxTrialTime.toMillis()));
        consumer = new KafkaConsumer<>(c, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "hyperstar-worker-" + workerId);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        producer = new KafkaProducer<>(p, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    }

    @Override
    public void run() {
        producer.initTransactions();
        consumer.subscribe(List.of(topics.trialRequested.name()));
        LOG.infof("worker %s consuming %s", workerId, topics.trialRequested.name());
        try {
            while (running.get()) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> rec : records) {
                    handle(rec);
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } finally {
            consumer.close();
            producer.close();
        }
    }

    private void handle(ConsumerRecord<String, byte[]> rec) {
        producer.beginTransaction();
        try {
            TrialRequested request = topics.trialRequested.valueSerde().deserializer().deserialize(rec.topic(), rec.value());
            long start = System.nanoTime();
            TrialCompleted answer;
            try {
                answer = runner.run(request, workerId);
            } catch (RuntimeException e) {
                // A runner bug or a resource problem fails this trial, not the worker.
                LOG.errorf(e, "trial %s failed unexpectedly", request.getTrialId());
                answer = TrialRunner.failed(request, workerId, "worker error: " + e, (System.nanoTime() - start) / 1_000_000);
            }
            if (answer.getStatus() == io.hyperstar.events.TrialStatus.FAILED) {
                LOG.warnf("trial %s FAILED: %s", request.getTrialId(), answer.getError());
            }
            producer.send(new ProducerRecord<>(topics.trialCompleted.name(), rec.key() == null ? null : rec.key().getBytes(),
                    topics.trialCompleted.valueSerde().serializer().serialize(topics.trialCompleted.name(), answer)));
            answered++;
        } catch (SerializationException e) {
            LOG.warnf("dead letter from %s-%d@%d: %s", rec.topic(), rec.partition(), rec.offset(), e.getMessage());
            var dl = io.hyperstar.events.DeadLetter.newBuilder().setSourceTopic(rec.topic()).setPartition(rec.partition())
                    .setOffset(rec.offset()).setKey(rec.key() == null ? null : java.nio.ByteBuffer.wrap(rec.key().getBytes()))
                    .setPayload(rec.value() == null ? null : java.nio.ByteBuffer.wrap(rec.value()))
                    .setReason(e.getMessage()).setRole("worker").build();
            producer.send(new ProducerRecord<>(topics.deadLetter.name(), rec.key() == null ? null : rec.key().getBytes(),
                    topics.deadLetter.valueSerde().serializer().serialize(topics.deadLetter.name(), dl)));
        }
        producer.sendOffsetsToTransaction(Map.of(new TopicPartition(rec.topic(), rec.partition()), new OffsetAndMetadata(rec.offset() + 1)),
                consumer.groupMetadata());
        producer.commitTransaction();
    }

    public long answered() {
        return answered;
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }
}
