package io.hyperstar.api;

import io.hyperstar.events.ModelPublished;
import io.hyperstar.events.TopicScan;
import io.hyperstar.events.Topics;
import io.hyperstar.model.ModelArtifact;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every model the meta-learner announced, read off the model-published topic from its beginning on a thread of its
 * own, for the read API. Recommenders swap to the newest announcement whose files check out; this reader lists what
 * was announced and does not open the files.
 */
@Startup
@ApplicationScoped
public class ModelAnnouncements {

    private static final Logger LOG = Logger.getLogger(ModelAnnouncements.class);

    @Inject
    Topics topics;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private final Map<String, ModelPublished> byVersion = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    @PostConstruct
    void start() {
        consumer = TopicScan.consumer(bootstrap);
        thread = new Thread(this::run, "model-announcements");
        thread.setDaemon(true);
        thread.start();
    }

    @PreDestroy
    void stop() throws InterruptedException {
        running.set(false);
        consumer.wakeup();
        thread.join(10_000);
    }

    /** Announcements newest first, in the order recommenders apply them. */
    public List<ModelPublished> newestFirst() {
        List<ModelPublished> all = new ArrayList<>(byVersion.values());
        all.sort(ModelArtifact.ANNOUNCED.reversed());
        return all;
    }

    private void run() {
        String topic = topics.modelPublished.name();
        try (KafkaConsumer<byte[], byte[]> c = consumer) {
            // The topic may not exist yet while the service creates its topics.
            TopicScan.fromBeginningOnceItExists(c, topic, running::get);
            var values = topics.modelPublished.valueSerde().deserializer();
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofSeconds(1))) {
                    try {
                        ModelPublished m = values.deserialize(topic, r.value());
                        byVersion.put(m.getVersion(), m);
                    } catch (RuntimeException e) {
                        // The recommenders dead-letter an unreadable announcement; the read API only skips it.
                        LOG.warnf("model announcement at %s-%d offset %d is unreadable, skipped: %s", topic, r.partition(),
                                r.offset(), e.getMessage());
                    }
                }
            }
        } catch (WakeupException stopping) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.errorf(e, "model announcements reader stopped; GET /models shows what it read until now");
        }
    }
}
