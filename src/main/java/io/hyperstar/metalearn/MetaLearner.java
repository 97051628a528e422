package io.hyperstar.metalearn;

import io.hyperstar.catalog.DataRoots;
import io.hyperstar.catalog.DatasetException;
import io.hyperstar.catalog.ImageSet;
import io.hyperstar.catalog.TaskData;
import io.hyperstar.events.MetaDatasetRecord;
import io.hyperstar.events.ModelPublished;
import io.hyperstar.model.Architecture;
import io.hyperstar.model.HyperStarModel;
import io.hyperstar.model.ImageBatches;
import io.hyperstar.model.MetaTrainer;
import io.hyperstar.model.ModelArtifact;
import io.hyperstar.model.Ranker;
import io.hyperstar.model.TaskMemory;
import io.hyperstar.model.TrainSettings;
import io.hyperstar.model.Variant;
import io.hyperstar.space.ConfigSpace;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The meta-learner's work, without Kafka (DESIGN.md part 5): folds full-budget trial results into the meta-dataset,
 * retrains the model on the bootstrap meta-dataset plus every registered dataset with enough results, and admits the
 * candidate only if its held-out AP@10 is no lower than the model in use, measured on the same gate tasks with the
 * same images. {@link MetaLearnerMain} feeds it from the meta-dataset topic and publishes what it admits.
 *
 * <p>Gate tasks are never trained on, by the candidate or by the model in use: the bootstrap meta-dataset's tasks that
 * the model in use was not trained on (the shipped model holds one out) and a fixed share of registered datasets,
 * chosen by a hash of their id so that the choice survives restarts.
 */
public final class MetaLearner implements AutoCloseable {

    /**
     * Training images read per registered dataset at most. Meta-training draws sets of 64 images from each task and
     * precomputes the backbone's features of every image it holds: the shipped tasks have at most 520, and a platform's
     * dataset of a million images would take the meta-learner's memory (and, retraining again after each restart, never
     * give it back). A seeded sample of this many stands for the dataset as well as all of it.
     */
    static final int IMAGES_PER_TASK = 2_048;

    /** Which training images of a dataset of {@code size} meta-training reads: all, or a sample seeded by its id. */
    static int[] subset(int size, String datasetId) {
        if (size <= IMAGES_PER_TASK) {
            return java.util.stream.IntStream.range(0, size).toArray();
        }
        // One batch of that many, drawn without replacement: the sampler the ranking uses.
        int[] out = ImageBatches.sample(size, 1, IMAGES_PER_TASK, new java.util.Random(datasetId.hashCode()))[0];
        Arrays.sort(out);
        return out;
    }

    private static final Logger LOG = Logger.getLogger(MetaLearner.class);

    /** The image batches every gate ranking samples: candidate and model in use see the very same images. */
    static final long GATE_SEED = 1;

    /**
     * retrainEvery: new training records (beyond those the model in use learned from) that start a retraining;
     * retrainAfter: time after which fewer new records than that start one too (at least one);
     * minConfigs: results a registered dataset needs before it is trained or gated on (z-scores of fewer say little);
     * gateEvery: one registered dataset in this many is a gate task; train: how a candidate is trained;
     * anchorPartial: targets of a dataset with results for only some configurations are {@link #anchored}.
     */
    public record Settings(int retrainEvery, java.time.Duration retrainAfter, int minConfigs, int gateEvery,
                           TrainSettings train, Path modelsDir, boolean anchorPartial) {

        public Settings {
            if (retrainEvery < 1 || minConfigs < 2 || gateEvery < 2) {
                throw new IllegalArgumentException("retrainEvery >= 1, minConfigs >= 2, gateEvery >= 2 needed, not "
                        + retrainEvery + ", " + minConfigs + ", " + gateEvery);
            }
        }

        /** The shipped model's settings (src/main/resources/model/README.md): 30 passes, top conv frozen. */
        public static Settings defaults(Path modelsDir) {
            TrainSettings t = TrainSettings.defaults(Variant.BM_SIM, 30, 1).withTopConvTrained(false).withSetsPerStep(10);
            return new Settings(50, java.time.Duration.ofHours(24), 5, 5, t, modelsDir, true);
        }
    }

    /** The outcome of one retraining: the published event when admitted, else why not. */
    public record Attempt(Optional<ModelPublished> published, double candidateAp10, double incumbentAp10,
                          String reason) {
    }

    /** A registered dataset's full-budget results, latest per configuration (the compacted topic's view). */
    private static final class Registered {
        String uri;
        final Map<Integer, Double> top1 = new TreeMap<>();
    }

    private final ConfigSpace space;
    /** Every bootstrap task's id: results under one of them are already in the bootstrap meta-dataset. */
    private final Set<String> bootstrapIds;
    /**
     * The bootstrap tasks the model in use was trained on, and the others, which are gate tasks. Fixed: every model
     * this meta-learner trains learns from the same bootstrap tasks as the one it started from.
     */
    private final List<MetaDataset.TaskRecord> bootstrapTraining;
    private final List<MetaDataset.TaskRecord> bootstrapGate;
    private final int bootstrapRecords;
    private final Map<String, ImageSet> bootstrapImages;
    private final DataRoots dataRoots;
    private final Settings settings;
    private final Map<String, Registered> registered = new LinkedHashMap<>();
    private HyperStarModel incumbent;
    private ModelArtifact.Metadata incumbentMeta;
    private int attemptedAt;
    private Instant attemptedWhen = Instant.now();

    /**
     * @param bootstrap       the meta-dataset the shipped model was trained from, with its tasks' training images
     * @param incumbentDir    the model in use: the shipped one, or the newest published
     */
    public MetaLearner(ConfigSpace space, MetaDataset bootstrap, Map<String, ImageSet> bootstrapImages,
                       DataRoots dataRoots, Path incumbentDir, Settings settings) throws IOException {
        this.space = space;
        this.bootstrapImages = bootstrapImages;
        this.dataRoots = dataRoots;
        this.settings = settings;
        this.incumbentMeta = ModelArtifact.readMetadata(incumbentDir);
        this.incumbent = ModelArtifact.load(incumbentDir, space);
        this.bootstrapIds = bootstrap.byId().keySet();
        Set<String> trained = new HashSet<>(incumbentMeta.tasks());
        this.bootstrapTraining = bootstrap.tasks().stream().filter(t -> trained.contains(t.id())).toList();
        this.bootstrapGate = bootstrap.tasks().stream().filter(t -> !trained.contains(t.id())).toList();
        this.bootstrapRecords = records(bootstrapTraining);
        this.attemptedAt = incumbentMeta.records();
    }

    /**
     * Folds one record; returns why it is refused (nothing is folded then), or null. A later record for the same
     * dataset and configuration replaces the earlier one, as compaction would.
     */
    public String fold(MetaDatasetRecord r) {
        String problem = problem(r, space);
        if (problem != null) {
            return problem;
        }
        if (bootstrapIds.contains(r.getDatasetId())) {
            return "dataset " + r.getDatasetId() + " is a bootstrap task; its results are already in the meta-dataset";
        }
        Registered d = registered.computeIfAbsent(r.getDatasetId(), k -> new Registered());
        d.uri = r.getDatasetUri();
        d.top1.put(r.getConfigId(), r.getTop1());
        return null;
    }

    /**
     * What is wrong with a result as a meta-dataset record for this space, or null: the one check for results from
     * the topic and for imported ones ({@link io.hyperstar.client.ImportResults}).
     */
    public static String problem(MetaDatasetRecord r, ConfigSpace space) {
        if (!space.fingerprint().equals(r.getConfigSpaceFingerprint())) {
            return "record for configuration space " + r.getConfigSpaceFingerprint() + ", this meta-learner uses "
                    + space.fingerprint();
        }
        if (r.getConfigId() < 0 || r.getConfigId() >= space.size()) {
            return "configuration " + r.getConfigId() + " is not in the space (0.." + (space.size() - 1) + ")";
        }
        if (!(r.getTop1() >= 0 && r.getTop1() <= 1)) {
            return "top-1 " + r.getTop1() + " is not an accuracy in [0, 1]";
        }
        if (r.getDatasetId().isBlank() || r.getDatasetUri().isBlank()) {
            return "dataset id and URI are required";
        }
        return null;
    }

    /** A result that no trial of this service produced (imported, or replayed from a meta-dataset). */
    public static MetaDatasetRecord imported(String datasetId, String uri, int configId, double top1, int epochs,
                                             ConfigSpace space) {
        return MetaDatasetRecord.newBuilder().setDatasetId(datasetId).setDatasetUri(uri).setConfigId(configId)
                .setConfigSpaceFingerprint(space.fingerprint()).setEpochs(epochs).setTop1(top1)
                .setCurve(List.of(top1)).setSourceTrialId(null).build();
    }

    /** Whether a gate task: one registered dataset in gateEvery, by a hash of its id (stable across restarts). */
    boolean isGate(String datasetId) {
        return Math.floorMod(datasetId.hashCode(), settings.gateEvery()) == 0;
    }

    /** Records a candidate would train on now. */
    public int trainingRecords() {
        return bootstrapRecords + trainable().mapToInt(d -> d.top1.size()).sum();
    }

    /** Tasks a candidate would train on now. */
    public int trainingTasks() {
        return bootstrapTraining.size() + (int) trainable().count();
    }

    /** Registered datasets a candidate trains on: not gate tasks, with enough results. */
    private java.util.stream.Stream<Registered> trainable() {
        return registered.entrySet().stream().filter(e -> !isGate(e.getKey())).map(Map.Entry::getValue)
                .filter(this::enough);
    }

    /** Enough results to train or gate on: z-scores of fewer say little. */
    private boolean enough(Registered d) {
        return d.top1.size() >= settings.minConfigs();
    }

    /**
     * Enough new training records since the model in use (or since the last refused candidate), or at least one and
     * {@code retrainAfter} since the last retraining (or since this meta-learner started).
     */
    public boolean due(Instant now) {
        int fresh = trainingRecords() - attemptedAt;
        return fresh >= settings.retrainEvery()
                || fresh >= 1 && !now.isBefore(attemptedWhen.plus(settings.retrainAfter()));
    }

    public boolean due() {
        return due(Instant.now());
    }

    public ModelArtifact.Metadata incumbent() {
        return incumbentMeta;
    }

    /** Trains a candidate, gates it against the model in use and, when admitted, saves it and makes it the model in use. */
    public Attempt retrain() throws IOException {
        attemptedAt = trainingRecords();
        attemptedWhen = Instant.now();
        List<MetaDataset.TaskRecord> train = new ArrayList<>(bootstrapTraining);
        List<MetaDataset.TaskRecord> gate = new ArrayList<>(bootstrapGate);
        Map<String, ImageSet> images = new LinkedHashMap<>(bootstrapImages);
        List<MetaTrainer.TrainingTask> tasks = new ArrayList<>(train.stream()
                .map(t -> MetaTrainer.TrainingTask.of(t, images.get(t.id()))).toList());
        double[] prior = prior(train);
        double spread = typicalSpread(train);
        for (Map.Entry<String, Registered> e : registered.entrySet()) {
            Registered d = e.getValue();
            if (!enough(d)) {
                continue;
            }
            Path dir = dataRoots.resolve(d.uri);
            TaskData.TrainSplit split;
            ImageSet trainImages;
            try {
                if (dir == null) {
                    throw new DatasetException(d.uri + " is outside the data roots " + dataRoots);
                }
                split = TaskData.openTrain(dir);
                trainImages = split.read(subset(split.size(), e.getKey()));
            } catch (DatasetException ex) {
                // Its results stay folded: the dataset may come back (a remounted volume); this model goes without it.
                LOG.warnf("dataset %s left out of this retraining: %s", e.getKey(), ex.getMessage());
                continue;
            }
            images.put(e.getKey(), trainImages);
            double[] acc = new double[space.size()];
            Arrays.fill(acc, Double.NaN);
            d.top1.forEach((c, v) -> acc[c] = v);
            MetaDataset.TaskRecord rec = new MetaDataset.TaskRecord(e.getKey(), "registered", split.classes(),
                    split.size(), acc);
            if (isGate(e.getKey())) {
                gate.add(rec);
                continue;
            }
            train.add(rec);
            if (settings.anchorPartial() && !rec.complete()) {
                double[] z = anchored(acc, prior, spread);
                double[] full = z.clone();
                for (int c = 0; c < full.length; c++) {
                    full[c] = Double.isNaN(z[c]) ? prior[c] : z[c];
                }
                tasks.add(new MetaTrainer.TrainingTask(rec.id(), trainImages, z, Metrics.orderDescending(full)));
            } else {
                tasks.add(MetaTrainer.TrainingTask.of(rec, trainImages));
            }
        }
        if (gate.isEmpty()) {
            return new Attempt(Optional.empty(), Double.NaN, Double.NaN,
                    "no gate task: nothing held out to compare the candidate with the model in use");
        }
        long start = System.nanoTime();
        HyperStarModel candidate = train(space, tasks, settings.train());
        try {
            double candidateAp = meanAp10(candidate, gate, images);
            double incumbentAp = meanAp10(incumbent, gate, images);
            double seconds = (System.nanoTime() - start) / 1e9;
            String label = settings.train().variant().label() + TaskMemory.LABEL;
            if (candidateAp < incumbentAp) {
                candidate.close();
                return new Attempt(Optional.empty(), candidateAp, incumbentAp, String.format(java.util.Locale.ROOT,
                        "candidate on %d tasks (%d records) reached held-out AP@10 %.3f on %d gate task(s), below the "
                                + "model in use (%s) at %.3f; not published (%.0f s)", train.size(),
                        records(train), candidateAp, gate.size(), incumbentMeta.version(), incumbentAp, seconds));
            }
            String version = Instant.now().truncatedTo(ChronoUnit.MILLIS) + "-" + label;
            Path dir = settings.modelsDir().resolve(version.replace(':', '-'));
            ModelArtifact.Metadata saved = save(candidate, version, label, train, candidateAp, dir);
            ModelPublished event = ModelPublished.newBuilder()
                    .setVersion(version)
                    .setUri(dir.toAbsolutePath().toString())
                    .setSha256(ModelArtifact.metadataSha256(dir))
                    .setConfigSpaceFingerprint(space.fingerprint())
                    .setTasks(train.size())
                    .setRecords(records(train))
                    .setValidationAp10(candidateAp)
                    .setPublishedAtMs(Instant.now())
                    .build();
            incumbent.close();
            incumbent = candidate;
            incumbentMeta = saved;
            return new Attempt(Optional.of(event), candidateAp, incumbentAp, String.format(java.util.Locale.ROOT,
                    "model %s on %d tasks (%d records): held-out AP@10 %.3f on %d gate task(s) against %.3f for the "
                            + "model it replaces (%.0f s)", version, train.size(), records(train), candidateAp,
                    gate.size(), incumbentAp, seconds));
        } catch (IOException | RuntimeException e) {
            candidate.close();
            throw e;
        }
    }

    /**
     * Trains the network on the tasks (Algorithm 1) and gives it the neighbour readout over them, as the shipped
     * model was made (src/main/resources/model/README.md).
     */
    public static HyperStarModel train(ConfigSpace space, List<MetaTrainer.TrainingTask> tasks,
                                       TrainSettings settings) {
        // Seeded before the parameters are initialised: the same results make the same model.
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) settings.seed());
        HyperStarModel model = HyperStarModel.create(space, Architecture.DEFAULT);
        try {
            new MetaTrainer(model, settings).train(tasks);
            model.useMemory(TaskMemory.build(model, tasks.stream()
                            .map(t -> new TaskMemory.Entry(t.id(), t.images(), t.zTargets())).toList(),
                    Ranker.BATCHES, Ranker.PER_BATCH, 1, TaskMemory.DEFAULT_TEMPERATURE));
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Saves a model trained on these tasks, with what it was trained on and the AP@10 that admitted it (or null). */
    public static ModelArtifact.Metadata save(HyperStarModel model, String version, String label,
                                              List<MetaDataset.TaskRecord> trainedOn, Double ap10, Path dir)
            throws IOException {
        return ModelArtifact.save(model, new ModelArtifact.Metadata(ModelArtifact.FORMAT, version,
                model.space().fingerprint(), Architecture.DEFAULT, label,
                trainedOn.stream().map(MetaDataset.TaskRecord::id).toList(), records(trainedOn), ap10, null,
                Instant.now().toString(), null), dir);
    }

    /**
     * Targets for a dataset with results for only some configurations, typically those one Hyperband search trained to
     * R. Its own z-scores would spread those few over a whole task's range, though they are mostly the search's
     * winners: the worst of them would teach "bad" about a good configuration. Instead the results keep their
     * differences, in units of a typical task's spread of accuracies, around the level the training tasks give those
     * configurations on average ({@code prior}, the task-agnostic z-score per configuration). Unknown stays NaN.
     */
    static double[] anchored(double[] acc, double[] prior, double spread) {
        double accMean = 0;
        double priorMean = 0;
        int n = 0;
        for (int c = 0; c < acc.length; c++) {
            if (!Double.isNaN(acc[c])) {
                accMean += acc[c];
                priorMean += prior[c];
                n++;
            }
        }
        accMean /= n;
        priorMean /= n;
        double[] z = new double[acc.length];
        for (int c = 0; c < acc.length; c++) {
            z[c] = Double.isNaN(acc[c]) ? Double.NaN : priorMean + (acc[c] - accMean) / spread;
        }
        return z;
    }

    /** Mean z-score per configuration over the tasks (the task-agnostic ranking's scores). */
    static double[] prior(List<MetaDataset.TaskRecord> tasks) {
        double[] sum = new double[tasks.get(0).valAtR().length];
        int[] n = new int[sum.length];
        for (MetaDataset.TaskRecord t : tasks) {
            double[] z = t.zTargets();
            for (int c = 0; c < z.length; c++) {
                if (!Double.isNaN(z[c])) {
                    sum[c] += z[c];
                    n[c]++;
                }
            }
        }
        for (int c = 0; c < sum.length; c++) {
            sum[c] = n[c] == 0 ? 0 : sum[c] / n[c];
        }
        return sum;
    }

    /** Median over the complete tasks of the standard deviation of their accuracies over the configurations. */
    static double typicalSpread(List<MetaDataset.TaskRecord> tasks) {
        double[] sd = tasks.stream().filter(MetaDataset.TaskRecord::complete).mapToDouble(t -> {
            double m = Arrays.stream(t.valAtR()).average().orElse(0);
            return Math.sqrt(Arrays.stream(t.valAtR()).map(v -> (v - m) * (v - m)).average().orElse(0));
        }).sorted().toArray();
        return sd.length == 0 ? 0.1 : Math.max(1e-6, sd[sd.length / 2]);
    }

    /**
     * Mean AP@10 of the model in use on the given tasks, ranked from their images as a new dataset is: how well it
     * ranks datasets it has not learned from yet.
     */
    public double inUseAp10(List<MetaDataset.TaskRecord> tasks, Map<String, ImageSet> images) {
        return meanAp10(incumbent, tasks, images);
    }

    /**
     * Mean AP@10 over the tasks (the gate tasks, for the gate) of the model's ranking of each from its training
     * images; a task with results for only some configurations is scored on those (both orders restricted to them).
     */
    public static double meanAp10(HyperStarModel model, List<MetaDataset.TaskRecord> tasks,
                                  Map<String, ImageSet> images) {
        double sum = 0;
        for (MetaDataset.TaskRecord t : tasks) {
            int[] predicted = Ranker.rank(model, images.get(t.id()), Ranker.BATCHES, Ranker.PER_BATCH, GATE_SEED)
                    .order();
            Set<Integer> known = new HashSet<>();
            for (int c = 0; c < t.valAtR().length; c++) {
                if (!Double.isNaN(t.valAtR()[c])) {
                    known.add(c);
                }
            }
            sum += Metrics.ap10(Metrics.restrict(predicted, known), Metrics.restrict(t.trueRanking(), known));
        }
        return sum / tasks.size();
    }

    private static int records(List<MetaDataset.TaskRecord> tasks) {
        return tasks.stream().mapToInt(MetaDataset.TaskRecord::configsWithResults).sum();
    }

    /** Registered datasets folded so far, by id, with how many configurations each has results for. */
    public Map<String, Integer> registered() {
        Map<String, Integer> out = new TreeMap<>(Comparator.naturalOrder());
        registered.forEach((k, v) -> out.put(k, v.top1.size()));
        return out;
    }

    @Override
    public void close() {
        incumbent.close();
    }
}
