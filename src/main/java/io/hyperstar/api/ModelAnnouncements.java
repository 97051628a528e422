package io.hyperstar.api;

import io.hyperstar.events.ModelPublished;
import io.hyperstar.events.TopicFollower;
import io.hyperstar.events.Topics;
import io.hyperstar.model.ModelArtifact;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

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
    private TopicFollower follower;

    @PostConstruct
    void start() {
        follower = new TopicFollower(bootstrap, topics.modelPublished.name(), "model-announcements", this::read,
                () -> "GET /models shows what it read until now").start();
    }

    @PreDestroy
    void stop() {
        follower.close();
    }

    /** Announcements newest first, in the order recommenders apply them. */
    public List<ModelPublished> newestFirst() {
        List<ModelPublished> all = new ArrayList<>(byVersion.values());
        all.sort(ModelArtifact.ANNOUNCED.reversed());
        return all;
    }

    private void read(List<ConsumerRecord<byte[], byte[]>> batch) {
        String topic = topics.modelPublished.name();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            try {
                ModelPublished m = topics.modelPublished.valueSerde().deserializer().deserialize(topic, r.value());
                byVersion.put(m.getVersion(), m);
            } catch (RuntimeException e) {
                // The recommenders dead-letter an unreadable announcement; the read API only skips it.
                LOG.warnf("model announcement at %s-%d offset %d is unreadable, skipped: %s", topic, r.partition(),
                        r.offset(), e.getMessage());
            }
        }
    }
}
