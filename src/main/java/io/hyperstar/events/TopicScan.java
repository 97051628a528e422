package io.hyperstar.events;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Serdes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reading a whole topic from its beginning, without a consumer group, for roles whose state is a topic: the
 * meta-learner rebuilds the meta-dataset from its compacted topic, and every recommender must see every published
 * model. Nothing is committed, so each start reads the topic again.
 */
public final class TopicScan {

    private static final Logger LOG = Logger.getLogger(TopicScan.class);

    private TopicScan() {
    }

    public static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        Properties c = KafkaClients.connection(bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Only what its producer committed: a record of an aborted transaction was never accepted.
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A missing topic is for its owner (the service) to create, not to be created here with broker defaults.
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return new KafkaConsumer<>(c, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
    }

    /** Assigns every partition of the topic, positioned at its beginning; empty when the topic does not exist (yet). */
    public static List<TopicPartition> fromBeginning(KafkaConsumer<?, ?> consumer, String topic, Duration timeout) {
        List<PartitionInfo> info;
        try {
            info = consumer.partitionsFor(topic, timeout);
        } catch (TimeoutException missing) {
            // With auto-creation off, the client waits for a missing topic's metadata until the timeout.
            return List.of();
        }
        List<TopicPartition> parts = info == null ? List.of()
                : info.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        if (!parts.isEmpty()) {
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        }
        return parts;
    }

    /**
     * Hands every record the assigned partitions hold now to {@code each}, up to their end offsets at the call, and
     * returns whether it got there: for a reader that must know what a topic says before it acts. Gives up after
     * {@code timeout}.
     */
    public static boolean readToEnd(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> parts, Duration timeout,
                                    Consumer<ConsumerRecord<byte[], byte[]>> each) {
        if (parts.isEmpty()) {
            return true;
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(parts);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            consumer.poll(Duration.ofMillis(200)).forEach(each);
        }
        return true;
    }

    /**
     * Like {@link #fromBeginning}, for a reader that starts beside the service creating the topics: looks again every
     * second until the topic exists. Gives up with a {@link WakeupException} once {@code keepWaiting} is false, or when
     * the consumer is woken or the thread interrupted, which is how its owner stops it.
     */
    public static List<TopicPartition> fromBeginningOnceItExists(KafkaConsumer<?, ?> consumer, String topic,
                                                                 BooleanSupplier keepWaiting) {
        while (keepWaiting.getAsBoolean()) {
            List<TopicPartition> parts = fromBeginning(consumer, topic, Duration.ofSeconds(5));
            if (!parts.isEmpty()) {
                return parts;
            }
            LOG.infof("waiting for topic %s", topic);
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new WakeupException();
    }
}
