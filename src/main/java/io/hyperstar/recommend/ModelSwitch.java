package io.hyperstar.recommend;

import io.hyperstar.events.DeadLetters;
import io.hyperstar.events.ModelPublished;
import io.hyperstar.events.TopicFollower;
import io.hyperstar.events.Topics;
import io.hyperstar.model.HyperStarModel;
import io.hyperstar.model.ModelArtifact;
import io.hyperstar.space.ConfigSpace;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Swaps the recommender to each model the meta-learner publishes. A background thread reads model-published from
 * the beginning (no consumer group: every recommender sees every model, and a restarted one finds the newest),
 * checks and loads each model newer than the one it has, and leaves it waiting; the loop's thread picks it up
 * between two inputs ({@link #recommender()}), so a ranking in progress finishes on the model it started with.
 * A model that cannot be used (missing, corrupt, another space) becomes a dead letter with the reason, and the
 * recommender keeps the model it has.
 */
public final class ModelSwitch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelSwitch.class);
    private static final String ROLE = "recommender";

    /** A checked, loaded model waiting for the loop's thread, with the event that announced it. */
    private record Loaded(HyperStarModel model, ModelArtifact.Metadata metadata, ModelPublished event) {
    }

    private final Topics topics;
    private final ConfigSpace space;
    private final TopicFollower follower;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicReference<Loaded> waiting = new AtomicReference<>();
    /**
     * Touched by the background thread only: the announcement of the newest model accepted, in use or waiting; null
     * while that is the model the process started with, which was never announced.
     */
    private ModelPublished newest;
    private volatile String newestVersion;
    /** Touched by the loop's thread only (and by close, once the loop has stopped). */
    private Recommender current;

    /**
     * @param initial the recommender with the model it starts with; this switch owns that model from now on and
     *                closes it when swapping it out or on {@link #close()}
     */
    public ModelSwitch(String bootstrap, Topics topics, ConfigSpace space, Recommender initial) {
        this.topics = topics;
        this.space = space;
        this.current = initial;
        // The model the process started with (the bootstrap model in the image) was never published: any published
        // model replaces it, unless it is that very version.
        this.newestVersion = initial.metadata().version();
        Properties p = io.hyperstar.events.KafkaClients.connection(bootstrap);
        producer = new KafkaProducer<>(p, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        follower = new TopicFollower(bootstrap, topics.modelPublished.name(), "model-switch", this::handle,
                () -> "keeping model " + newestVersion);
    }

    /** Starts reading model-published in the background. */
    public ModelSwitch start() {
        follower.start();
        return this;
    }

    /**
     * The recommender for the next input. Call it from the loop's thread only, between inputs: if a newer model is
     * waiting, it takes over here and the previous model is closed, as nothing ranks with it any more.
     */
    public Recommender recommender() {
        Loaded next = waiting.getAndSet(null);
        if (next != null) {
            Recommender old = current;
            current = old.with(next.model(), next.metadata());
            old.model().close();
            LOG.infof("now ranking with model %s (%d tasks, validation AP@10 %s)", next.event().getVersion(),
                    next.event().getTasks(), String.format(Locale.ROOT, "%.3f", next.event().getValidationAp10()));
        }
        return current;
    }

    /** The version of the newest model accepted: the one in use, or the one that takes over at the next input. */
    public String newestVersion() {
        return newestVersion;
    }

    /**
     * Tries the batch's announcements newest first: once one loads, the older ones are no longer newer and are
     * skipped, so a restarted recommender, which reads every model ever published, loads only the newest.
     */
    private void handle(List<ConsumerRecord<byte[], byte[]>> batch) {
        List<Candidate> candidates = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> rec : batch) {
            ModelPublished ev;
            try {
                ev = topics.modelPublished.valueSerde().deserializer().deserialize(rec.topic(), rec.value());
            } catch (RuntimeException e) {
                refuse(rec, "unreadable model announcement: " + e.getMessage());
                continue;
            }
            candidates.add(new Candidate(rec, ev));
        }
        candidates.sort(Comparator.comparing(Candidate::event, ModelArtifact.ANNOUNCED).reversed());
        for (Candidate c : candidates) {
            if (c.event().getVersion().equals(newestVersion)
                    || newest != null && ModelArtifact.ANNOUNCED.compare(c.event(), newest) <= 0) {
                LOG.debugf("model %s is not newer than %s; ignored", c.event().getVersion(), newestVersion);
                continue;
            }
            try {
                accept(c, load(c.event()));
            } catch (IOException | RuntimeException e) {
                refuse(c.rec(), "model " + c.event().getVersion() + " not used: " + e.getMessage());
            }
        }
    }

    private record Candidate(ConsumerRecord<byte[], byte[]> rec, ModelPublished event) {
    }

    /** Checks an announced model against its announcement and this service's space, then loads it. */
    private Loaded load(ModelPublished ev) throws IOException {
        Path dir = ModelArtifact.checkAnnounced(ev, space);
        return new Loaded(ModelArtifact.load(dir, space), ModelArtifact.readMetadata(dir), ev);
    }

    private void accept(Candidate c, Loaded loaded) {
        newest = c.event();
        newestVersion = c.event().getVersion();
        // A model loaded but not yet taken by the loop is replaced without ever ranking.
        Loaded replaced = waiting.getAndSet(loaded);
        if (replaced != null) {
            replaced.model().close();
        }
        LOG.infof("model %s loaded; it takes over at the next dataset", newestVersion);
    }

    private void refuse(ConsumerRecord<byte[], byte[]> rec, String reason) {
        LOG.warnf("%s; keeping model %s", reason, newestVersion);
        producer.send(DeadLetters.record(topics, rec, reason, ROLE), (m, e) -> {
                    if (e != null) {
                        LOG.errorf(e, "cannot publish the dead letter for %s-%d@%d", rec.topic(), rec.partition(), rec.offset());
                    }
                });
    }

    /**
     * Stops watching and closes the models this switch holds, the one in use included: call it after the loop
     * that ranks with them has stopped.
     */
    @Override
    public void close() {
        follower.close();
        producer.close(Duration.ofSeconds(10));
        Loaded w = waiting.getAndSet(null);
        if (w != null) {
            w.model().close();
        }
        current.model().close();
    }
}
