package io.hyperstar.schedule;

import io.hyperstar.hyperband.Experiment;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Interactive queries over the scheduler's experiment store. This instance answers for the partitions it
 * owns; with several scheduler replicas, a caller asks each (the store's key metadata says which).
 */
@ApplicationScoped
public class ExperimentQueries {

    @Inject
    KafkaStreams streams;

    /** Thrown while the store is not queryable (starting, rebalancing): the API answers 503. */
    public static final class NotReady extends RuntimeException {
        NotReady(Throwable cause) {
            super("the scheduler's state is not queryable yet: " + cause.getMessage(), cause);
        }
    }

    public Optional<Experiment> find(String experimentId) {
        return Optional.ofNullable(store().get(experimentId));
    }

    public List<Experiment> all(int limit) {
        List<Experiment> out = new ArrayList<>();
        try (KeyValueIterator<String, Experiment> it = store().all()) {
            while (it.hasNext() && out.size() < limit) {
                KeyValue<String, Experiment> kv = it.next();
                out.add(kv.value);
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
