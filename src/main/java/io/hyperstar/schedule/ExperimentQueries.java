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
import java.util.Comparator;
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

    /**
     * The read API's order: newest first (by when the scheduler registered them), then by id, last first: the creation
     * index read from its end, so that a page cut inside a run of equal times cuts where the index does.
     */
    public static final Comparator<Experiment> NEWEST_FIRST = Comparator.comparing(Position::of, Position.ORDER);

    /**
     * A place in the list, {@code <createdAtMs>/<experimentId>} as a string: a page that ends with a search continues
     * with what comes after it.
     */
    public record Position(long createdAtMs, String experimentId) {

        /** The list's order of places ({@link #NEWEST_FIRST}); every instance merges its peers' pages by it. */
        public static final Comparator<Position> ORDER = Comparator.comparingLong((Position p) -> -p.createdAtMs())
                .thenComparing(Position::experimentId, Comparator.reverseOrder());

        public static Position of(Experiment e) {
            return new Position(e.createdAtMs, e.experimentId);
        }

        /** Parses {@code <createdAtMs>/<experimentId>}; an IllegalArgumentException says what is wrong. */
        public static Position parse(String s) {
            int slash = s.indexOf('/');
            try {
                if (slash > 0 && slash < s.length() - 1) {
                    return new Position(Long.parseLong(s.substring(0, slash)), s.substring(slash + 1));
                }
            } catch (NumberFormatException e) {
                // falls through to the one message
            }
            throw new IllegalArgumentException("a position is <createdAtMs>/<experimentId>, as X-HyperSTAR-Next gives it; got " + s);
        }

        /** Whether {@code e} comes after this place in the list's order. */
        boolean precedes(Experiment e) {
            return ORDER.compare(this, of(e)) < 0;
        }

        @Override
        public String toString() {
            return createdAtMs + "/" + experimentId;
        }
    }

    /**
     * The {@code limit} newest experiments of this instance that pass the filter and come after {@code after} (null: from
     * the newest), in the list's order. Each partition's creation index is read from its newest end (or from
     * {@code after}), so a page reads about {@code limit} experiments per partition, however many the store holds (a
     * store spanning several partitions iterates them one after another, not in one order: hence one query per
     * partition, merged).
     */
    public List<Experiment> newest(int limit, Predicate<Experiment> filter, Position after) {
        List<Experiment> out = new ArrayList<>();
        for (int partition : localPartitions()) {
            ReadOnlyKeyValueStore<String, Experiment> experiments = store(SchedulerTopology.EXPERIMENTS_STORE, partition);
            ReadOnlyKeyValueStore<String, String> index = store(SchedulerTopology.TIME_INDEX_STORE, partition);
            if (index.get(TimeIndex.complete(TimeIndex.CREATED)) == null) {
                // Not indexed yet (until the first check after an upgrade): this partition is read whole.
                List<Experiment> all = new ArrayList<>();
                try (KeyValueIterator<String, Experiment> it = experiments.all()) {
                    it.forEachRemaining(kv -> {
                        if (filter.test(kv.value) && (after == null || after.precedes(kv.value))) {
                            all.add(kv.value);
                        }
                    });
                }
                all.sort(NEWEST_FIRST);
                out.addAll(all.subList(0, Math.min(limit, all.size())));
                continue;
            }
            String upTo = after == null ? TimeIndex.last(TimeIndex.CREATED)
                    : TimeIndex.key(TimeIndex.CREATED, after.createdAtMs(), after.experimentId());
            int taken = 0;
            try (KeyValueIterator<String, String> it = index.reverseRange(TimeIndex.first(TimeIndex.CREATED), upTo)) {
                while (it.hasNext() && taken < limit) {
                    KeyValue<String, String> kv = it.next();
                    if (kv.key.equals(upTo)) {
                        continue; // the range includes its end: the page before ended with this search
                    }
                    Experiment e = experiments.get(kv.value);
                    if (e != null && filter.test(e)) {
                        out.add(e);
                        taken++;
                    }
                }
            }
        }
        out.sort(NEWEST_FIRST);
        return out.subList(0, Math.min(limit, out.size()));
    }

    /** The partitions whose tasks run on this instance (the scheduler's one sub-topology: task partition = input partition). */
    private List<Integer> localPartitions() {
        return streams.metadataForLocalThreads().stream().flatMap(t -> t.activeTasks().stream())
                .map(task -> task.taskId().partition()).distinct().sorted().toList();
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name, int partition) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore())
                    .withPartition(partition));
        } catch (InvalidStateStoreException e) {
            throw new NotReady(e);
        }
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
