package io.hyperstar.schedule;

import io.hyperstar.hyperband.Experiment;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Interactive queries over the scheduler's experiment store. This instance holds the experiments of the partitions it
 * owns; the store's key metadata says which instance holds any other (each advertises its API at
 * {@code quarkus.kafka-streams.application-server}), so the API can ask it.
 */
@ApplicationScoped
public class ExperimentQueries {

    @Inject
    KafkaStreams streams;

    /** This instance's API address, as it advertises it to the others. */
    @ConfigProperty(name = "quarkus.kafka-streams.application-server")
    String applicationServer;
    private HostInfo self;

    @PostConstruct
    void parseSelf() {
        self = HostInfo.buildFromEndpoint(applicationServer);
    }

    /** Thrown while the store is not queryable (starting, rebalancing): the API answers 503. */
    public static final class NotReady extends RuntimeException {
        NotReady(Throwable cause) {
            super("the scheduler's state is not queryable yet: " + cause.getMessage(), cause);
        }
    }

    /** The instance that holds this experiment's partition when it is another one; empty when it is this one. */
    public Optional<HostInfo> heldElsewhere(String experimentId) {
        KeyQueryMetadata where = streams.queryMetadataForKey(SchedulerTopology.EXPERIMENTS_STORE, experimentId,
                Serdes.String().serializer());
        if (where == null || KeyQueryMetadata.NOT_AVAILABLE.equals(where)) {
            throw new NotReady(new IllegalStateException("no instance holds the partition of " + experimentId + " yet"));
        }
        return where.activeHost().equals(self) ? Optional.empty() : Optional.of(where.activeHost());
    }

    /** Every other instance of the scheduler, as their API addresses. */
    public List<HostInfo> otherInstances() {
        return streams.metadataForAllStreamsClients().stream().map(StreamsMetadata::hostInfo)
                .filter(h -> !h.equals(self)).distinct().toList();
    }

    public Optional<Experiment> find(String experimentId) {
        return Optional.ofNullable(store().get(experimentId));
    }

    public List<Experiment> all(int limit) {
        return all(limit, e -> true);
    }

    /** The first {@code limit} experiments of this instance that pass the filter, in the order of their ids. */
    public List<Experiment> all(int limit, Predicate<Experiment> filter) {
        List<Experiment> out = new ArrayList<>();
        try (KeyValueIterator<String, Experiment> it = store().all()) {
            while (it.hasNext() && out.size() < limit) {
                KeyValue<String, Experiment> kv = it.next();
                if (filter.test(kv.value)) {
                    out.add(kv.value);
                }
            }
        }
        return out;
    }

    private ReadOnlyKeyValueStore<String, Experiment> store() {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(SchedulerTopology.EXPERIMENTS_STORE,
                    QueryableStoreTypes.keyValueStore()));
        } catch (InvalidStateStoreException e) {
            throw new NotReady(e);
        }
    }
}
