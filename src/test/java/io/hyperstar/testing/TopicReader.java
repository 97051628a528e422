package io.hyperstar.testing;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import io.hyperstar.events.TopicScan;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;

/** Reads what a topic holds, as a downstream consumer would: committed records only, from the beginning. */
public final class TopicReader {

    private TopicReader() {
    }

    /** The first {@code n} committed values of a topic, or fewer if they do not come within the timeout. */
    public static <V> List<V> read(String bootstrap, String topic, Deserializer<V> values, int n, Duration timeout) {
        return records(bootstrap, topic, values, n, timeout).stream().map(ConsumerRecord::value).toList();
    }

    /** The first {@code n} committed values of a topic that {@code keep} accepts, or fewer if they do not come in time. */
    public static <V> List<V> read(String bootstrap, String topic, Deserializer<V> values, Predicate<V> keep, int n,
                                   Duration timeout) {
        return records(bootstrap, topic, values, r -> keep.test(r.value()), n, timeout).stream().map(ConsumerRecord::value).toList();
    }

    /**
     * Every committed value of a topic now: read until each partition's position reaches its last stable offset (the end
     * that read_committed consumers see), so a test can check that something is there once and not twice without waiting
     * out a timeout for a record that must not come.
     */
    public static <V> List<V> all(String bootstrap, String topic, Deserializer<V> values, Duration timeout) {
        List<V> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicScan.consumer(bootstrap)) {
            List<TopicPartition> parts = TopicScan.fromBeginning(consumer, topic, timeout);
            if (!TopicScan.readToEnd(consumer, parts, timeout, r -> out.add(values.deserialize(topic, r.value())))) {
                throw new IllegalStateException("could not read " + topic + " to its end within " + timeout);
            }
        }
        return out;
    }

    /** Like {@link #read}, with the keys: the first {@code n} committed records of a topic, or fewer. */
    public static <V> List<ConsumerRecord<String, V>> records(String bootstrap, String topic, Deserializer<V> values, int n,
                                                               Duration timeout) {
        return records(bootstrap, topic, values, r -> true, n, timeout);
    }

    private static <V> List<ConsumerRecord<String, V>> records(String bootstrap, String topic, Deserializer<V> values,
                                                                Predicate<ConsumerRecord<String, V>> keep, int n, Duration timeout) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(c, Serdes.String().deserializer(), values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
                    // One poll can bring more than are missing: the first n, as promised, not what the batch held.
                    if (out.size() < n && keep.test(r)) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }
}
