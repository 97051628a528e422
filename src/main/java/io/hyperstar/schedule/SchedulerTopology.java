package io.hyperstar.schedule;

import io.hyperstar.events.Topics;
import io.hyperstar.space.ConfigSpace;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

import java.util.Properties;

/**
 * The scheduler's Kafka Streams topology, built in one place with no I/O so tests build the very same one.
 * One processor reads the five experiment-keyed input topics (co-partitioned), keeps each experiment in a
 * changelogged store and writes trial requests, experiment results, meta-dataset records and dead letters. A second,
 * keyed by tenant, keeps each tenant's count of running searches under its quota and grants queued searches their
 * start ({@link TenantAdmissionProcessor}): the two halves talk over tenant-admission and admission-granted.
 */
public final class SchedulerTopology {

    public static final String EXPERIMENTS_STORE = "experiments-store";
    public static final String EARLY_RANKINGS_STORE = "early-rankings-store";
    /** Ids of the experiments not yet done: what the timeout check visits, however many finished ones the store holds. */
    public static final String RUNNING_STORE = "running-experiments-store";
    /**
     * Experiments in time order ({@link TimeIndex}): every one by when it was registered (the read API's newest-first
     * list) and the finished ones not archived yet by when they ended (archiving visits only the due ones).
     */
    public static final String TIME_INDEX_STORE = "experiment-time-index-store";
    /** Tenant -> its searches holding a slot of its quota, and those queued for one ({@link TenantAdmissionProcessor}). */
    public static final String TENANT_SLOTS_STORE = "tenant-slots-store";
    static final String PROCESSOR = "scheduler";
    static final String ADMISSION_PROCESSOR = "tenant-admission";
    static final String TENANT_ADMISSION_SINK = "tenant-admission-sink";
    static final String ADMISSION_GRANTED_SINK = "admission-granted-sink";
    static final String TRIAL_REQUESTED_SINK = "trial-requested-sink";
    static final String EXPERIMENT_COMPLETED_SINK = "experiment-completed-sink";
    static final String META_DATASET_SINK = "meta-dataset-sink";
    static final String DEAD_LETTER_SINK = "dead-letter-sink";

    private SchedulerTopology() {
    }

    public static Topology build(Topics topics, SchedulerSettings settings, ConfigSpace space, MeterRegistry metrics) {
        Topology t = new Topology();
        // Raw bytes in: decoding happens in the processor, so a malformed event becomes a dead letter, not a crash.
        t.addSource("dataset-registered-source", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                topics.datasetRegistered.name());
        t.addSource("ranking-computed-source", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                topics.rankingComputed.name());
        t.addSource("trial-completed-source", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                topics.trialCompleted.name());
        t.addSource("cancel-requested-source", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                topics.cancelRequested.name());
        t.addSource("admission-granted-source", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                topics.admissionGranted.name());
        t.addProcessor(PROCESSOR, () -> new SchedulerProcessor(topics, settings, space, metrics),
                "dataset-registered-source", "ranking-computed-source", "trial-completed-source", "cancel-requested-source",
                "admission-granted-source");
        // Cached: an experiment's state (several KB of JSON) changes with every result, and results come in bursts; the
        // cache writes it to RocksDB and the changelog once per commit instead of once per result.
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EXPERIMENTS_STORE),
                Serdes.String(), new ExperimentSerde()).withCachingEnabled(), PROCESSOR);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EARLY_RANKINGS_STORE),
                Serdes.String(), topics.rankingComputed.valueSerde()), PROCESSOR);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUNNING_STORE),
                Serdes.String(), Serdes.Long()), PROCESSOR);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TIME_INDEX_STORE),
                Serdes.String(), Serdes.String()), PROCESSOR);
        // Added after the experiments' half, so that half keeps its sub-topology number (and its tasks' state directories).
        t.addSource("tenant-admission-source", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                topics.tenantAdmission.name());
        t.addProcessor(ADMISSION_PROCESSOR, () -> new TenantAdmissionProcessor(topics, settings, metrics), "tenant-admission-source");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TENANT_SLOTS_STORE),
                Serdes.String(), TenantSlots.SERDE), ADMISSION_PROCESSOR);
        sink(t, TENANT_ADMISSION_SINK, topics.tenantAdmission, PROCESSOR);
        sink(t, ADMISSION_GRANTED_SINK, topics.admissionGranted, ADMISSION_PROCESSOR);
        sink(t, TRIAL_REQUESTED_SINK, topics.trialRequested, PROCESSOR);
        sink(t, EXPERIMENT_COMPLETED_SINK, topics.experimentCompleted, PROCESSOR);
        sink(t, META_DATASET_SINK, topics.metaDataset, PROCESSOR);
        sink(t, DEAD_LETTER_SINK, topics.deadLetter, PROCESSOR, ADMISSION_PROCESSOR);
        return t;
    }

    /** A sink writing with the topic's own serdes (from the registry), fed by the given processors. */
    @SuppressWarnings("unchecked")
    private static void sink(Topology t, String name, io.hyperstar.events.Topic<?, ?> topic, String... parents) {
        t.addSink(name, topic.name(), (Serializer<Object>) (Serializer<?>) topic.keySerde().serializer(),
                (Serializer<Object>) (Serializer<?>) topic.valueSerde().serializer(), parents);
    }

    /** Record cache of one instance: room for the latest state of several thousand running experiments. */
    public static final long CACHE_MAX_BYTES = 64L * 1024 * 1024;

    /**
     * Streams settings for running the topology outside Quarkus (tests, benchmarks); the service sets the
     * same keys in application.properties. The cache size comes from the load test (load-tests/scheduler): with it,
     * the experiments store writes a third as many changelog records, and the CPU per trial result drops by a
     * quarter in the scheduler and in the broker.
     */
    public static Properties streamsConfig(String bootstrapServers, String applicationId, String stateDir) {
        Properties p = io.hyperstar.events.KafkaClients.connection(bootstrapServers);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, CACHE_MAX_BYTES);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        // Hand the partitions over at once when stopping (application.properties says why).
        p.put(StreamsConfig.mainConsumerPrefix("internal.leave.group.on.close"), true);
        return p;
    }
}
