package io.hyperstar.events;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Serdes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Consume, process, produce for roles whose work is too slow for a Kafka Streams thread (training, ranking):
 * one input at a time, its outputs and its consumed offset committed in one Kafka transaction, so every
 * accepted input is answered exactly once. An input the handler cannot read becomes a dead letter.
 */
public final class TransactionalLoop implements Runnable, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TransactionalLoop.class);

    /** Turns one input into the records to publish; throws only for inputs it cannot accept. */
    @FunctionalInterface
    public interface Handler {
        List<ProducerRecord<byte[], byte[]>> handle(ConsumerRecord<byte[], byte[]> input);
    }

    private final String topic;
    private final String role;
    private final Topics topics;
    private final Handler handler;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile long handled;
    /** Null without a registry; otherwise each input's time and outcome, and the Kafka clients' own metrics. */
    private final Timer inputTime;
    private final Counter answered;
    private final Counter deadLettered;
    private final List<KafkaClientMetrics> clientMetrics;

    /**
     * The default instance id of a role's process, the suffix of its transactional id. Live instances must differ,
     * or each new producer fences the others' transactions. In a container every process is pid 1, so the pid alone
     * is not enough: the host name (a pod's name in Kubernetes, a container's id in Docker) goes first, the pid after
     * it for several processes on one host; without a host name, the role.
     */
    public static String defaultInstanceId(String role) {
        return defaultInstanceId(role, System.getenv(), ProcessHandle.current().pid());
    }

    static String defaultInstanceId(String role, Map<String, String> env, long pid) {
        String host = env.get("HOSTNAME");
        return (host != null && !host.isBlank() ? host : role) + "-" + pid;
    }

    public TransactionalLoop(String bootstrap, Topics topics, String topic, String groupId, String transactionalId,
                             Duration maxProcessingTime, String role, Handler handler) {
        this(bootstrap, topics, topic, groupId, transactionalId, maxProcessingTime, role, handler, null);
    }

    /**
     * With {@code metrics} (null for none): {@code hyperstar.inputs{outcome=answered|dead-letter}}, the time each input
     * took ({@code hyperstar.input.duration}, with a histogram for percentiles up to {@code maxProcessingTime}), and the
     * consumer's and producer's metrics, the consumer's lag among them.
     */
    public TransactionalLoop(String bootstrap, Topics topics, String topic, String groupId, String transactionalId,
                             Duration maxProcessingTime, String role, Handler handler, MeterRegistry metrics) {
        this.topic = topic;
        this.role = role;
        this.topics = topics;
        this.handler = handler;
        Properties c = KafkaClients.connection(bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // One input at a time: a long job must not hold others hostage, nor outlive the poll interval.
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, maxProcessingTime.toMillis()));
        consumer = new KafkaConsumer<>(c, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
        Properties p = KafkaClients.connection(bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // A transaction spans only the answer's sends and the commit (the work happens before it), so it needs seconds
        // at most. The timeout is how long a process killed while committing holds back every read_committed reader of
        // the partitions it wrote to (the scheduler reading answers), until the broker aborts the transaction: its
        // transactional id dies with its pod, so nothing fences it sooner. With 60 s, a FailoverIT run stalled for
        // about a minute (docs/operations.md); 10 s is Kafka Streams' own under exactly-once.
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        producer = new KafkaProducer<>(p, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        if (metrics == null) {
            inputTime = null;
            answered = null;
            deadLettered = null;
            clientMetrics = List.of();
        } else {
            inputTime = Timer.builder("hyperstar.input.duration").description("Time to handle one input, transaction included")
                    .tag("topic", topic).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(maxProcessingTime).register(metrics);
            answered = Counter.builder("hyperstar.inputs").tag("topic", topic).tag("outcome", "answered").register(metrics);
            deadLettered = Counter.builder("hyperstar.inputs").tag("topic", topic).tag("outcome", "dead-letter").register(metrics);
            clientMetrics = List.of(new KafkaClientMetrics(consumer), new KafkaClientMetrics(producer));
            clientMetrics.forEach(m -> m.bindTo(metrics));
        }
    }

    @Override
    public void run() {
        producer.initTransactions();
        consumer.subscribe(List.of(topic));
        LOG.infof("%s consuming %s", role, topic);
        try {
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                    process(rec);
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } finally {
            clientMetrics.forEach(KafkaClientMetrics::close);
            consumer.close();
            producer.close();
        }
    }

    private void process(ConsumerRecord<byte[], byte[]> rec) {
        long start = System.nanoTime();
        List<ProducerRecord<byte[], byte[]>> out;
        boolean refused = false;
        try {
            out = handler.handle(rec);
        } catch (RuntimeException e) {
            refused = true;
            String reason = e instanceof org.apache.kafka.common.errors.SerializationException || e instanceof IllegalArgumentException
                    ? e.getMessage() : "internal error: " + e;
            LOG.warnf("dead letter from %s-%d@%d: %s", rec.topic(), rec.partition(), rec.offset(), reason);
            out = List.of(DeadLetters.record(topics, rec, reason, role));
        }
        producer.beginTransaction();
        out.forEach(producer::send);
        producer.sendOffsetsToTransaction(Map.of(new TopicPartition(rec.topic(), rec.partition()), new OffsetAndMetadata(rec.offset() + 1)),
                consumer.groupMetadata());
        producer.commitTransaction();
        handled++;
        if (inputTime != null) {
            inputTime.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            (refused ? deadLettered : answered).increment();
        }
    }

    /** Inputs handled so far, dead letters included. */
    public long handled() {
        return handled;
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }
}
