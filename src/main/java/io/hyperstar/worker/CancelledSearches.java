package io.hyperstar.worker;

import io.hyperstar.events.ExperimentCompleted;
import io.hyperstar.events.TopicScan;
import io.hyperstar.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The searches cancelled so far, read off experiment-completed from its beginning, so a worker does not spend hours on a
 * trial whose search was stopped while the request waited in the queue. Only cancelled ids are kept: a search that
 * ended on its own has nothing left in the queue. It catches up with the topic before the worker takes its first
 * request, then follows it on a thread of its own; a trial already training when its search is
 * cancelled stops at its next epoch (train mode).
 */
final class CancelledSearches implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CancelledSearches.class);

    private final Topics topics;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private Thread thread;

    CancelledSearches(String bootstrap, Topics topics) {
        this.topics = topics;
        this.consumer = TopicScan.consumer(bootstrap);
    }

    /** Reads what the topic holds now (up to {@code timeout}), then keeps following it in the background. */
    void start(Duration timeout) {
        String topic = topics.experimentCompleted.name();
        List<TopicPartition> parts = TopicScan.fromBeginning(consumer, topic, timeout);
        if (!parts.isEmpty()) {
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                read(consumer.poll(Duration.ofMillis(200)));
            }
        }
        LOG.infof("%d cancelled search(es) known; their queued trials are answered without training", cancelled.size());
        thread = new Thread(() -> follow(parts.isEmpty()), "cancelled-searches");
        thread.setDaemon(true);
        thread.start();
    }

    boolean isCancelled(String experimentId) {
        return cancelled.contains(experimentId);
    }

    private void follow(boolean waitForTopic) {
        try {
            if (waitForTopic) {
                TopicScan.fromBeginningOnceItExists(consumer, topics.experimentCompleted.name(), running::get);
            }
            while (running.get()) {
                read(consumer.poll(Duration.ofSeconds(1)));
            }
        } catch (WakeupException stopping) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "cancelled-searches reader stopped; trials of searches cancelled from now on are trained");
        } finally {
            consumer.close();
        }
    }

    private void read(Iterable<ConsumerRecord<byte[], byte[]>> records) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                ExperimentCompleted done = topics.experimentCompleted.valueSerde().deserializer().deserialize(r.topic(), r.value());
                if (done.getCancelled()) {
                    cancelled.add(done.getExperimentId());
                }
            } catch (RuntimeException unreadable) {
                LOG.debugf("unreadable experiment result at %s-%d@%d skipped", r.topic(), r.partition(), r.offset());
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        consumer.wakeup();
        if (thread != null) {
            thread.join(10_000);
        } else {
            consumer.close();
        }
    }
}
