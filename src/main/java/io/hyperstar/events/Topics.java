package io.hyperstar.events;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import java.util.List;

/**
 * The registry of the service's topics: each name (from configuration) with its key and value serdes.
 * Every experiment-scoped topic is keyed by experiment id and has the same partition count, so the
 * scheduler sees all events of one experiment on one partition, in order.
 */
public final class Topics {

    public final Topic<String, DatasetRegistered> datasetRegistered;
    public final Topic<String, RankingComputed> rankingComputed;
    public final Topic<String, TrialRequested> trialRequested;
    public final Topic<String, TrialCompleted> trialCompleted;
    public final Topic<String, CancelRequested> cancelRequested;
    public final Topic<String, ExperimentCompleted> experimentCompleted;
    public final Topic<String, MetaDatasetRecord> metaDataset;
    public final Topic<String, ModelPublished> modelPublished;
    public final Topic<byte[], DeadLetter> deadLetter;
    /** The scheduler's own: searches asking for and giving back a slot of their tenant's limit (key: tenant). */
    public final Topic<String, Admission> tenantAdmission;
    /** The scheduler's own: a queued search may start (key: experiment id, co-partitioned with the experiments). */
    public final Topic<String, Admission> admissionGranted;

    /** Names of the topics, as configured ({@code hyperstar.topics.*}). */
    public record Names(String datasetRegistered, String rankingComputed, String trialRequested,
                        String trialCompleted, String experimentCompleted, String metaDataset,
                        String modelPublished, String deadLetter, String cancelRequested, String tenantAdmission,
                        String admissionGranted) {

        public static Names defaults() {
            return new Names("hyperstar-dataset-registered", "hyperstar-ranking-computed",
                    "hyperstar-trial-requested", "hyperstar-trial-completed", "hyperstar-experiment-completed",
                    "hyperstar-meta-dataset", "hyperstar-model-published", "hyperstar-dead-letter",
                    "hyperstar-cancel-requested", "hyperstar-tenant-admission", "hyperstar-admission-granted");
        }

        /** The default names behind a prefix, so several deployments (or tests) can share one cluster. */
        public static Names withPrefix(String prefix) {
            Names d = defaults();
            return new Names(prefix + d.datasetRegistered, prefix + d.rankingComputed, prefix + d.trialRequested,
                    prefix + d.trialCompleted, prefix + d.experimentCompleted, prefix + d.metaDataset,
                    prefix + d.modelPublished, prefix + d.deadLetter, prefix + d.cancelRequested,
                    prefix + d.tenantAdmission, prefix + d.admissionGranted);
        }
    }

    public Topics(Names names) {
        Serde<String> key = Serdes.String();
        datasetRegistered = new Topic<>(names.datasetRegistered(), key, new AvroSerde<>(DatasetRegistered.class));
        rankingComputed = new Topic<>(names.rankingComputed(), key, new AvroSerde<>(RankingComputed.class));
        trialRequested = new Topic<>(names.trialRequested(), key, new AvroSerde<>(TrialRequested.class));
        trialCompleted = new Topic<>(names.trialCompleted(), key, new AvroSerde<>(TrialCompleted.class));
        cancelRequested = new Topic<>(names.cancelRequested(), key, new AvroSerde<>(CancelRequested.class));
        experimentCompleted = new Topic<>(names.experimentCompleted(), key, new AvroSerde<>(ExperimentCompleted.class));
        metaDataset = new Topic<>(names.metaDataset(), key, new AvroSerde<>(MetaDatasetRecord.class));
        modelPublished = new Topic<>(names.modelPublished(), key, new AvroSerde<>(ModelPublished.class));
        deadLetter = new Topic<>(names.deadLetter(), Serdes.ByteArray(), new AvroSerde<>(DeadLetter.class));
        tenantAdmission = new Topic<>(names.tenantAdmission(), key, new AvroSerde<>(Admission.class));
        admissionGranted = new Topic<>(names.admissionGranted(), key, new AvroSerde<>(Admission.class));
    }

    public static Topics defaults() {
        return new Topics(Names.defaults());
    }

    public List<Topic<?, ?>> all() {
        return List.of(datasetRegistered, rankingComputed, trialRequested, trialCompleted, experimentCompleted,
                metaDataset, modelPublished, deadLetter, cancelRequested, tenantAdmission, admissionGranted);
    }

    /** The meta-dataset's key: compaction keeps the latest result per dataset and configuration. */
    public static String metaDatasetKey(String datasetId, int configId) {
        return datasetId + "/" + configId;
    }

    /** Topics that keep only the latest value per key. */
    public boolean compacted(Topic<?, ?> topic) {
        return topic == metaDataset;
    }
}
