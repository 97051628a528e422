package io.hyperstar.testing;

import io.hyperstar.events.DatasetFormat;
import io.hyperstar.events.DatasetRegistered;
import io.hyperstar.events.Strategy;
import io.hyperstar.events.Topics;
import io.hyperstar.events.TuningRequest;
import io.hyperstar.hyperband.Experiment;
import io.hyperstar.hyperband.ExperimentMachine;
import io.hyperstar.hyperband.Simulator;
import io.hyperstar.hyperband.TuningSpec;
import io.hyperstar.space.ConfigSpace;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Events as a platform would send them, and what the Hyperband core expects them to produce. */
public final class TestEvents {

    /** Every test searches with this seed and this many retries, so the simulator and the service agree. */
    public static final long SEED = 42;
    public static final int MAX_RETRIES = 2;

    private TestEvents() {
    }

    public static TuningRequest tuning(Strategy s, int r, int eta, long budget) {
        return TuningRequest.newBuilder().setStrategy(s).setMaxEpochsPerTrial(r).setEta(eta).setTotalEpochBudget(budget).setSeed(SEED).build();
    }

    public static DatasetRegistered registration(String id, String dataset, Strategy s, int r, int eta, long budget) {
        return DatasetRegistered.newBuilder().setExperimentId(id).setDatasetId(dataset).setTenant("team-a")
                .setUri("file:///data/" + dataset).setFormat(DatasetFormat.IDX).setTuning(tuning(s, r, eta, budget))
                .setRegisteredAtMs(Instant.ofEpochMilli(1)).build();
    }

    /** The search of this strategy the core plans for this request on the bundled space, answered from the synthetic curves. */
    public static Simulator.Run simulate(String id, String dataset, io.hyperstar.hyperband.Strategy strategy, int r, int eta,
                                         long budget) {
        ConfigSpace space = ConfigSpace.bundled();
        Experiment e = ExperimentMachine.create(id, dataset, new TuningSpec(strategy, r, eta, budget, SEED, 0, MAX_RETRIES),
                space.shape(), 0);
        return Simulator.run(e, CurveTable.synthetic().forDataset(dataset));
    }

    /**
     * The vanilla Hyperband search the core plans for {@link #registration} of this dataset, answered from the
     * meta-dataset's recorded curves (what the replay worker and the Python example trainer answer with).
     */
    public static Simulator.Run simulateRecorded(String id, String dataset, int r, int eta) {
        Experiment e = ExperimentMachine.create(id, dataset,
                new TuningSpec(io.hyperstar.hyperband.Strategy.HYPERBAND, r, eta, 0, SEED, 0, MAX_RETRIES), ConfigSpace.bundled().size(), 0);
        return Simulator.run(e, Recorded.TABLE.forDataset(dataset));
    }

    /**
     * Registers one vanilla Hyperband search (R = 9, eta = 3) per task, as {@code <prefix><task>}, and returns, by
     * experiment id, what the core's simulation on the recorded curves says each search does.
     */
    public static Map<String, Simulator.Run> registerRecordedSearches(String bootstrap, Topics topics,
                                                                              String prefix, List<String> tasks) throws Exception {
        Map<String, Simulator.Run> expected = new HashMap<>();
        try (KafkaProducer<String, DatasetRegistered> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                topics.datasetRegistered.keySerde().serializer(), topics.datasetRegistered.valueSerde().serializer())) {
            for (String task : tasks) {
                String id = prefix + task;
                producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), id,
                        registration(id, task, Strategy.HYPERBAND, 9, 3, 0))).get();
                expected.put(id, simulateRecorded(id, task, 9, 3));
            }
        }
        return expected;
    }

    /** Loaded once, on first use (87,480 points). */
    private static final class Recorded {
        static final CurveTable TABLE = CurveTable.load("/metadataset/curves.csv");
    }

    /** The vanilla Hyperband search the core plans for this request, answered from the synthetic curves. */
    public static Simulator.Run simulate(String id, String dataset, int r, int eta, long budget) {
        ConfigSpace space = ConfigSpace.bundled();
        Experiment e = ExperimentMachine.create(id, dataset,
                new TuningSpec(io.hyperstar.hyperband.Strategy.HYPERBAND, r, eta, budget, SEED, 0, MAX_RETRIES), space.size(), 0);
        return Simulator.run(e, CurveTable.synthetic().forDataset(dataset));
    }
}
