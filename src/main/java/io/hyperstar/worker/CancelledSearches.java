package io.hyperstar.worker;

import io.hyperstar.events.ExperimentCompleted;
import io.hyperstar.events.TopicFollower;
import io.hyperstar.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
    private final TopicFollower follower;
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();

    CancelledSearches(String bootstrap, Topics topics) {
        this.topics = topics;
        this.follower = new TopicFollower(bootstrap, topics.experimentCompleted.name(), "cancelled-searches", this::read,
                () -> "trials of searches cancelled from now on are trained");
    }

    /** Reads what the topic holds now (up to {@code timeout}), then keeps following it in the background. */
    void start(Duration timeout) {
        follower.startCaughtUp(timeout);
        LOG.infof("%d cancelled search(es) known; their queued trials are answered without training", cancelled.size());
    }

    boolean isCancelled(String experimentId) {
        return cancelled.contains(experimentId);
    }

    private void read(List<ConsumerRecord<byte[], byte[]>> records) {
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
    public void close() {
        follower.close();
    }
}
