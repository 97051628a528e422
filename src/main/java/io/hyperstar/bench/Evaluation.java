package io.hyperstar.bench;

import io.hyperstar.catalog.ImageSet;
import io.hyperstar.metalearn.MetaDataset;
import io.hyperstar.metalearn.Metrics;
import io.hyperstar.metalearn.RandomForest;
import io.hyperstar.model.Architecture;
import io.hyperstar.model.GlobalMeanBaseline;
import io.hyperstar.model.HyperStarModel;
import io.hyperstar.model.MetaTrainer;
import io.hyperstar.model.ModelArtifact;
import io.hyperstar.model.Ranker;
import io.hyperstar.model.TaskMemory;
import io.hyperstar.model.TrainSettings;
import io.hyperstar.model.Variant;
import io.hyperstar.space.ConfigSpace;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Leave-one-task-out evaluation (the paper's Tables 1-2 and Figure 5a on our task suite): for every task with a
 * complete row in the meta-dataset, each method ranks the configurations from the other tasks only, and is scored
 * with AP@10 and configurations-to-best against the task's true ranking.
 * <pre>
 * java io.hyperstar.bench.Evaluation [--metadataset DIR[,DIR...]] [--data data] [--out docs/benchmarks]
 *     [--seeds 3] [--epochs 60] [--images 64] [--batches 10] [--configs 10] [--top-conv frozen|trained]
 *     [--sets-per-step 1] [--lr 0.001] [--space config-space.json]
 *     [--methods a,b,...] [--shard K/N] [--report-only] [--tasks a,b,...] [--training-tasks K]
 *     [--training-targets validation|pooled] [--replicates DIR[,DIR...] [--average-replicates]]
 *     [--truth-runs DIR[,DIR...]]
 *     [--save-model DIR [--save-variant BM] [--hold-out TASK,...]]
 * </pre>
 * Every scored (method, task, seed) is appended to {@code runs/shard-K-of-N.csv} as it finishes, so a stopped run
 * resumes where it was and N processes (one per core, {@code --shard 0/2} and {@code --shard 1/2}) share the folds.
 * The report, written after an unsharded run or by {@code --report-only}, merges every runs file into
 * {@code ap10.csv} (method,task,seed,ap10,configs_to_best), {@code ap10.md} (mean and spread over seeds per task and
 * on average) and {@code fig5a.csv} (method,k,mean_best_fraction: the best true accuracy among the first k ranked
 * configurations over the task's best, averaged over tasks and seeds). With {@code --save-model}, also trains that
 * variant on every task and saves it as a model artifact whose validation AP@10 is the variant's leave-one-task-out
 * mean; {@code --hold-out} leaves tasks out of that model (the demo ranks a task the shipped model never saw).
 */
public final class Evaluation {

    /** Suffix of a variant that ranks with the neighbour readout ({@link TaskMemory}) instead of its predictor. */
    static final String NEIGHBOURS = TaskMemory.LABEL;

    static final List<String> ALL_METHODS = List.of("random", "task-agnostic", "meta-features+rf", "nearest-task",
            "global-mean", "global-mean" + NEIGHBOURS, "BM", "BM+GAN", "BM+Sim", "BM+Sim+GAN", "BM" + NEIGHBOURS,
            "BM+Sim" + NEIGHBOURS);
    /** The baselines: the targets are computed against the best of these. */
    static final List<String> BASELINES = ALL_METHODS.subList(0, 5);
    /**
     * Not a baseline the issue names and not ours: the neighbour readout over the frozen backbone's mean features,
     * which separates what the readout brings from what the meta-trained embedding brings.
     */
    static final List<String> ABLATIONS = List.of("global-mean" + NEIGHBOURS);
    /** Hindsight references, not methods: reported for scale, never counted as a baseline or as ours. */
    static final List<String> REFERENCES = List.of("oracle-task", "oracle-similarity", "remeasured", "replicate");
    /** The reference that needs {@code --replicates}: scored only for the tasks a replicate run holds complete. */
    static final String REPLICATE = "replicate";
    static final String RUNS_HEADER = "method,task,seed,ap10,configs_to_best,seconds,order";
    static final String EMBEDDINGS_HEADER = "method,task,seed,embedded,vector";

    record Row(String method, String task, int seed, double ap10, int configsToBest, double seconds, int[] order) {

        String key() {
            return key(method, task, seed);
        }

        /** What identifies a scored row: a rerun skips it, a replay looks its order up by it. */
        static String key(String method, String task, int seed) {
            return method + "," + task + "," + seed;
        }
    }

    private final ConfigSpace space;
    private final PrintStream log;
    /** Training tasks per fold: 0 = all the others; k = a seeded draw of k of them (how AP@10 grows with tasks). */
    private final int trainingTasks;
    /**
     * Where a neighbour readout's embeddings go (the held-out task's and its memory's, one line each): with them a
     * readout setting can be studied offline on the very embeddings that were scored. Set by each run.
     */
    private Path embeddingsFile;
    /**
     * What the methods learn from, by task id: null = the training tasks' validation accuracy at R, the same figures
     * the held-out task is scored against; otherwise the pooled records ({@link MetaDataset#load(Path, ConfigSpace,
     * int)}). The held-out task is always scored against its validation ranking.
     */
    private Map<String, MetaDataset.TaskRecord> trainingRecords;
    /** Each task's replicate training run (another trainer seed), for the {@link #REPLICATE} reference; may be empty. */
    private Map<String, MetaDataset.TaskRecord> replicates = Map.of();

    /**
     * The models trained for one fold and seed, by variant, and their memories: a variant's two readouts (its
     * predictor and {@link #NEIGHBOURS}) are read off one trained model instead of training the same seeded model
     * twice. Closed when the fold and seed are scored, or when scoring them fails.
     */
    private static final class FoldModels implements AutoCloseable {
        final Map<Variant, HyperStarModel> models = new java.util.EnumMap<>(Variant.class);
        final Map<Variant, TaskMemory> memories = new java.util.EnumMap<>(Variant.class);

        @Override
        public void close() {
            models.values().forEach(HyperStarModel::close);
        }
    }

    Evaluation(ConfigSpace space, PrintStream log) {
        this(space, log, 0);
    }

    Evaluation(ConfigSpace space, PrintStream log, int trainingTasks) {
        this.space = space;
        this.log = log;
        this.trainingTasks = trainingTasks;
    }

    public static void main(String[] args) throws Exception {
        List<Path> metaDirs = List.of(Path.of("src/main/resources/metadataset"));
        Path data = Path.of("data");
        Path out = Path.of("docs/benchmarks");
        int seeds = 3;
        int epochs = 60;
        int images = 64;
        int batches = 10;
        int configs = 10;
        boolean trainTop = false;
        int shard = 0;
        int shards = 1;
        int trainingTasks = 0;
        boolean reportOnly = false;
        List<String> methods = new ArrayList<>(ALL_METHODS);
        methods.addAll(REFERENCES);
        int setsPerStep = 1;
        float learningRate = 1e-3f;
        TrainSettings defaults = TrainSettings.defaults(Variant.BM, epochs, 0);
        float alpha = defaults.alpha();
        float beta = defaults.beta();
        ConfigSpace space = ConfigSpace.bundled();
        Path saveModel = null;
        String saveVariant = "BM";
        List<String> holdOut = List.of();
        List<String> only = null;
        int pooledEpochs = 0;
        List<Path> replicates = List.of();
        boolean averageReplicates = false;
        List<Path> truthRuns = List.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--metadataset" -> metaDirs = Arrays.stream(args[++i].split(",")).map(Path::of).toList();
                case "--data" -> data = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--seeds" -> seeds = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--batches" -> batches = Integer.parseInt(args[++i]);
                case "--configs" -> configs = Integer.parseInt(args[++i]);
                case "--top-conv" -> trainTop = switch (args[++i]) {
                    case "trained" -> true;
                    case "frozen" -> false;
                    default -> throw new IllegalArgumentException("--top-conv is frozen or trained, not " + args[i]);
                };
                case "--methods" -> methods = Arrays.asList(args[++i].split(","));
                case "--sets-per-step" -> setsPerStep = Integer.parseInt(args[++i]);
                case "--lr" -> learningRate = Float.parseFloat(args[++i]);
                case "--alpha" -> alpha = Float.parseFloat(args[++i]);
                case "--beta" -> beta = Float.parseFloat(args[++i]);
                case "--space" -> {
                    try (var in = Files.newInputStream(Path.of(args[++i]))) {
                        space = ConfigSpace.parse(in);
                    }
                }
                case "--shard" -> {
                    String[] kn = args[++i].split("/");
                    shard = Integer.parseInt(kn[0]);
                    shards = Integer.parseInt(kn[1]);
                }
                case "--report-only" -> reportOnly = true;
                case "--training-tasks" -> trainingTasks = Integer.parseInt(args[++i]);
                case "--save-model" -> saveModel = Path.of(args[++i]);
                case "--save-variant" -> saveVariant = args[++i];
                case "--hold-out" -> holdOut = Arrays.asList(args[++i].split(","));
                case "--tasks" -> only = Arrays.asList(args[++i].split(","));
                case "--replicates" -> replicates = Arrays.stream(args[++i].split(",")).map(Path::of).toList();
                case "--average-replicates" -> averageReplicates = true;
                case "--truth-runs" -> truthRuns = Arrays.stream(args[++i].split(",")).map(Path::of).toList();
                case "--training-targets" -> pooledEpochs = switch (args[++i]) {
                    case "validation" -> 0;
                    // R - 2 .. R: the window whose r_ij agreed best between the two splits (docs/benchmarks/README.md)
                    case "pooled" -> 3;
                    default -> throw new IllegalArgumentException("--training-targets is validation or pooled, not "
                            + args[i]);
                };
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        MetaDataset meta = merge(metaDirs, space);
        // With --truth-runs every figure of a pair, the truth included, is its mean over the training runs, each
        // measured on the validation and test images at R (load's pooled form with a one-epoch window); what the
        // methods learn from is measured the same way unless the training targets pool a wider window.
        int measure = truthRuns.isEmpty() ? 0 : 1;
        int trainingMeasure = Math.max(pooledEpochs, measure);
        if (!truthRuns.isEmpty()) {
            if (methods.contains("remeasured")) {
                throw new IllegalArgumentException("--truth-runs already measures the truth on the test images: the "
                        + "remeasured reference has nothing left to remeasure");
            }
            meta = meanOfRuns(merge(metaDirs, space, measure), runs(truthRuns, space, measure));
        }
        if (only != null) {
            meta = only(meta, only);
        }
        Evaluation e = new Evaluation(space, System.err, trainingTasks);
        if (!replicates.isEmpty()) {
            // The replicate reference is measured as the truth is: another run of the same search.
            e.replicateRuns(runs(replicates.subList(0, 1), space, measure).get(0));
        }
        if (pooledEpochs > 0 || averageReplicates) {
            List<Path> more = new ArrayList<>(averageReplicates ? replicates : List.of());
            more.addAll(truthRuns);
            e.trainOnPooled(merge(metaDirs, space, trainingMeasure).averagedWith(runs(more, space, trainingMeasure)),
                    meta);
        }
        TrainSettings base = new TrainSettings(Variant.BM, epochs, images, batches, configs, defaults.window(), alpha,
                beta, learningRate, 0, trainTop, setsPerStep);
        String description = "meta-dataset " + metaDirs + ": " + meta.tasks().size() + " complete tasks x "
                + space.size() + " configurations, R = " + meta.epochs() + " epochs; " + seeds + " seed(s); HyperSTAR: "
                + epochs + " passes, N_img = " + images + ", B_img = " + batches + ", O_hyper = " + configs
                + ", top conv block " + (trainTop ? "trained" : "frozen (features cached per image)") + ", "
                + setsPerStep + " image batch(es) per update, Adam learning rate " + learningRate + ", alpha = " + alpha
                + ", beta = " + beta + "; ranking with B = " + Ranker.BATCHES + " x N = " + Ranker.PER_BATCH
                + " images; neighbour readout temperature T = " + TaskMemory.DEFAULT_TEMPERATURE
                + (trainingTasks > 0 ? "; each fold trains on " + trainingTasks + " of the other tasks, drawn per "
                + "fold and seed" : "") + (pooledEpochs > 0 ? "; training targets pooled over the validation and test "
                + "images and epochs R - " + (pooledEpochs - 1) + " .. R (held-out tasks scored against validation at R)"
                : "") + (averageReplicates ? "; training targets averaged with the training runs in " + replicates
                : "") + (truthRuns.isEmpty() ? "" : "; truth and training figures: each pair's accuracy at R on the "
                + "validation and test images (by size)" + (pooledEpochs > 0 ? ", training tasks' over R - "
                + (pooledEpochs - 1) + " .. R," : "") + " averaged over the first run and the training runs in "
                + truthRuns + " (only tasks complete in all)");
        Map<String, ImageSet> train = !reportOnly || saveModel != null ? meta.trainingImages(data) : Map.of();
        if (!reportOnly) {
            e.runShard(meta, train, methods, seeds, base, out, shard, shards, description);
        }
        List<Row> rows = null;
        if (reportOnly || shards == 1) {
            rows = e.report(meta, methods, out);
            System.out.println("wrote " + rows.size() + " rows to " + out);
        }
        if (saveModel != null) {
            String v = saveVariant;
            java.util.OptionalDouble ap10 = (rows != null ? rows : readRuns(out.resolve("runs"))).stream()
                    .filter(r -> r.method().equals(v)).mapToDouble(Row::ap10).average();
            Double validation = ap10.isPresent() ? ap10.getAsDouble() : null;
            List<String> excluded = holdOut;
            MetaDataset kept = new MetaDataset(meta.epochs(), meta.tasks().stream()
                    .filter(t -> !excluded.contains(t.id())).map(e::trainingRecord).toList());
            ModelArtifact.Metadata saved = e.trainAndSave(kept, train, base.withVariant(variantOf(v), 1),
                    v.endsWith(NEIGHBOURS), validation, saveModel);
            System.out.println("saved model " + saved.version() + " to " + saveModel + " (validation AP@10 "
                    + saved.validationAp10() + ")");
        }
    }

    /**
     * Trains the chosen variant on every task of the meta-dataset and saves it; {@code validation} is the variant's
     * leave-one-task-out AP@10 (the figure the meta-learner gates a new model on).
     */
    ModelArtifact.Metadata trainAndSave(MetaDataset meta, Map<String, ImageSet> images, TrainSettings ts,
                                        boolean neighbours, Double validation, Path dir) throws IOException {
        ai.djl.engine.Engine.getInstance().setRandomSeed(1);
        try (HyperStarModel model = HyperStarModel.create(space, Architecture.DEFAULT)) {
            new MetaTrainer(model, ts).train(meta.tasks().stream()
                    .map(t -> MetaTrainer.TrainingTask.of(t, images.get(t.id()))).toList());
            if (neighbours) {
                model.useMemory(memory(model, meta.tasks(), images, 1));
            }
            String label = ts.variant().label() + (neighbours ? NEIGHBOURS : "");
            String now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            return ModelArtifact.save(model, new ModelArtifact.Metadata(ModelArtifact.FORMAT, now + "-" + label,
                    space.fingerprint(), Architecture.DEFAULT, label,
                    meta.tasks().stream().map(MetaDataset.TaskRecord::id).toList(), meta.records(), validation, null,
                    now, null), dir);
        }
    }

    /** The replicate runs the {@link #REPLICATE} reference ranks by (tasks complete in that meta-dataset). */
    void replicateRuns(MetaDataset replicate) {
        replicates = replicate.byId();
    }

    /** False only for the {@link #REPLICATE} reference on a task without a complete replicate run. */
    private boolean scorable(String method, MetaDataset.TaskRecord task) {
        return !method.equals(REPLICATE) || replicates.containsKey(task.id());
    }

    /** The record a method learns from for this task (itself unless training targets are pooled). */
    MetaDataset.TaskRecord trainingRecord(MetaDataset.TaskRecord t) {
        return trainingRecords == null ? t : trainingRecords.get(t.id());
    }

    /**
     * The truth as the mean over training runs: per task complete in {@code first} and in every one of {@code more}
     * (the same tasks and configurations trained again from other trainer seeds), each configuration's mean accuracy
     * over the runs. Why: one run's ranking is partly that run's luck; a second run of the very same search reaches
     * only AP@10 43.5 against it (docs/benchmarks/ap10.md), so a one-run truth scores every method against noise
     * no ranking can predict. The rows carry no test-split accuracy of their own (the runs' may already be in the
     * mean), so the remeasured reference cannot be scored against them.
     */
    static MetaDataset meanOfRuns(MetaDataset first, List<MetaDataset> more) {
        List<Map<String, MetaDataset.TaskRecord>> others = more.stream().map(MetaDataset::byId).toList();
        MetaDataset mean = new MetaDataset(first.epochs(), first.tasks().stream()
                .filter(t -> others.stream().allMatch(o -> o.containsKey(t.id()))).toList()).averagedWith(more);
        return new MetaDataset(mean.epochs(), mean.tasks().stream().map(t -> new MetaDataset.TaskRecord(t.id(),
                t.source(), t.classes(), t.train(), t.valAtR())).toList());
    }

    /** Each folder as its own run (complete tasks only), in order: unlike {@link #merge}, runs are not pooled. */
    static List<MetaDataset> runs(List<Path> dirs, ConfigSpace space, int pooledEpochs) throws IOException {
        List<MetaDataset> out = new ArrayList<>();
        for (Path d : dirs) {
            out.add(MetaDataset.load(d, space, pooledEpochs).completeOnly());
        }
        return out;
    }

    /** Methods learn from {@code pooled}'s records of the training tasks; every task of {@code meta} must be in it. */
    void trainOnPooled(MetaDataset pooled, MetaDataset meta) {
        Map<String, MetaDataset.TaskRecord> byId = pooled.byId();
        for (MetaDataset.TaskRecord t : meta.tasks()) {
            if (!byId.containsKey(t.id())) {
                throw new IllegalArgumentException(t.id() + " has no pooled accuracies (missing epochs before R)");
            }
        }
        trainingRecords = byId;
    }

    /** The complete tasks of one or more meta-dataset folders (a task found twice is taken from the first). */
    static MetaDataset merge(List<Path> dirs, ConfigSpace space) throws IOException {
        return merge(dirs, space, 0);
    }

    /** As {@link #merge(List, ConfigSpace)} with accuracies pooled over splits and epochs ({@link MetaDataset#load}). */
    static MetaDataset merge(List<Path> dirs, ConfigSpace space, int pooledEpochs) throws IOException {
        List<MetaDataset.TaskRecord> tasks = new ArrayList<>();
        int epochs = -1;
        for (Path d : dirs) {
            MetaDataset m = MetaDataset.load(d, space, pooledEpochs).completeOnly();
            if (epochs >= 0 && m.epochs() != epochs) {
                throw new IOException(d + " has R = " + m.epochs() + ", the others " + epochs);
            }
            epochs = m.epochs();
            for (MetaDataset.TaskRecord t : m.tasks()) {
                if (tasks.stream().noneMatch(x -> x.id().equals(t.id()))) {
                    tasks.add(t);
                }
            }
        }
        return new MetaDataset(epochs, tasks);
    }

    /**
     * The meta-dataset restricted to the listed tasks, in its own order (fold k, and so each fold's seeds, stay those
     * of a meta-dataset that held just these tasks): how an earlier, smaller suite's evaluation is reproduced.
     */
    static MetaDataset only(MetaDataset meta, List<String> ids) {
        List<String> unknown = ids.stream().filter(id -> meta.tasks().stream().noneMatch(t -> t.id().equals(id)))
                .toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("--tasks names tasks the meta-dataset does not hold complete: "
                    + unknown);
        }
        return new MetaDataset(meta.epochs(), meta.tasks().stream().filter(t -> ids.contains(t.id())).toList());
    }

    /** One process's whole run and the report (the single-process form; tests use it). */
    List<Row> run(MetaDataset meta, Map<String, ImageSet> images, List<String> methods, int seeds,
                  TrainSettings base, Path out, String description) throws IOException {
        runShard(meta, images, methods, seeds, base, out, 0, 1, description);
        return report(meta, methods, out);
    }

    /**
     * Scores every (method, seed) on the folds k with k mod shards == shard, appending each row to this shard's
     * runs file as soon as it is scored; rows already in the file are skipped (resume).
     */
    void runShard(MetaDataset meta, Map<String, ImageSet> images, List<String> methods, int seeds,
                  TrainSettings base, Path out, int shard, int shards, String description)
            throws IOException {
        Path runs = out.resolve("runs");
        Files.createDirectories(runs);
        Files.writeString(runs.resolve("description.txt"), description + "\n");
        Path file = runs.resolve("shard-" + shard + "-of-" + shards + ".csv");
        java.util.Set<String> done = new java.util.HashSet<>();
        for (Row r : readRunsFile(file)) {
            done.add(r.key());
        }
        if (!Files.exists(file)) {
            Files.writeString(file, RUNS_HEADER + "\n");
        }
        Files.createDirectories(out.resolve("embeddings"));
        embeddingsFile = out.resolve("embeddings").resolve("shard-" + shard + "-of-" + shards + ".csv");
        if (!Files.exists(embeddingsFile)) {
            Files.writeString(embeddingsFile, EMBEDDINGS_HEADER + "\n");
        }
        List<MetaDataset.TaskRecord> tasks = meta.tasks();
        Map<String, float[]> globalMeans = new LinkedHashMap<>();
        int total = 0;
        int finished = 0;
        for (int k = shard; k < tasks.size(); k += shards) {
            for (int seed = 1; seed <= seeds; seed++) {
                for (String method : methods) {
                    if (!scorable(method, tasks.get(k))) {
                        continue;
                    }
                    total++;
                    finished += done.contains(Row.key(method, tasks.get(k).id(), seed)) ? 1 : 0;
                }
            }
        }
        long t0 = System.nanoTime();
        int scoredHere = 0;
        for (int k = shard; k < tasks.size(); k += shards) {
            MetaDataset.TaskRecord test = tasks.get(k);
            List<MetaDataset.TaskRecord> others = new ArrayList<>(tasks);
            others.remove(k);
            others.replaceAll(this::trainingRecord);
            int[] truth = test.trueRanking();
            for (int seed = 1; seed <= seeds; seed++) {
                List<MetaDataset.TaskRecord> trainTasks = others;
                if (trainingTasks > 0 && trainingTasks < others.size()) {
                    trainTasks = new ArrayList<>(others);
                    Collections.shuffle(trainTasks, new Random(seed * 1000L + k));
                    trainTasks = trainTasks.subList(0, trainingTasks);
                }
                try (FoldModels fold = new FoldModels()) {
                    for (String method : methods) {
                        if (done.contains(Row.key(method, test.id(), seed))) {
                            continue;
                        }
                        if (!scorable(method, test)) {
                            if (seed == 1) {
                                log.printf(Locale.ROOT, "fold %d %s: no complete replicate run (--replicates), %s "
                                        + "not scored%n", k + 1, test.id(), REPLICATE);
                            }
                            continue;
                        }
                        if (method.startsWith("global-mean") && globalMeans.isEmpty()) {
                            try (GlobalMeanBaseline g = new GlobalMeanBaseline(space, Architecture.DEFAULT)) {
                                for (MetaDataset.TaskRecord t : tasks) {
                                    globalMeans.put(t.id(), g.globalMean(images.get(t.id())));
                                }
                            }
                            StringBuilder b = new StringBuilder(EMBEDDINGS_HEADER + "\n");
                            globalMeans.forEach((id, v) -> b.append(embeddingLine("global-mean", id, 0, id, v)));
                            Files.writeString(out.resolve("embeddings").resolve("global-means.csv"), b);
                        }
                        long start = System.nanoTime();
                        // DJL initialises parameters from the engine's generator: seed it so a rerun gives the same
                        // table.
                        ai.djl.engine.Engine.getInstance().setRandomSeed((int) (seed * 1000L + k));
                        float[] scores = scores(method, test, trainTasks, images, globalMeans, fold, base,
                                seed * 1000L + k);
                        int[] order = Metrics.orderDescending(scores);
                        double seconds = (System.nanoTime() - start) / 1e9;
                        Row row = new Row(method, test.id(), seed, Metrics.ap10(order, truth),
                                Metrics.configsToBest(order, test.valAtR()), seconds, order);
                        Files.writeString(file, format(row), java.nio.file.StandardOpenOption.APPEND);
                        finished++;
                        scoredHere++;
                        double perRow = (System.nanoTime() - t0) / 1e9 / scoredHere;
                        log.printf(Locale.ROOT, "[%d/%d] fold %d %-14s seed %d %-26s AP@10 %.3f  to-best %2d  (%.1f s) "
                                        + "| %.1f rows/min, ETA %s%n", finished, total, k + 1, method, seed, test.id(),
                                row.ap10(), row.configsToBest(), seconds, 60 / perRow,
                                MetaDatasetBuilder.duration((total - finished) * perRow));
                    }
                }
            }
        }
    }

    private static String format(Row r) {
        StringBuilder order = new StringBuilder();
        for (int c : r.order()) {
            order.append(order.length() == 0 ? "" : " ").append(c);
        }
        return String.format(Locale.ROOT, "%s,%s,%d,%.4f,%d,%.2f,%s%n", r.method(), r.task(), r.seed(), r.ap10(),
                r.configsToBest(), r.seconds(), order);
    }

    static List<Row> readRuns(Path runs) throws IOException {
        List<Row> rows = new ArrayList<>();
        if (Files.isDirectory(runs)) {
            try (var files = Files.list(runs)) {
                for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".csv")).sorted().toList()) {
                    rows.addAll(readRunsFile(f));
                }
            }
        }
        return rows;
    }

    /** A runs file's complete rows; a line torn by a crash (fewer fields) is ignored and will be scored again. */
    private static List<Row> readRunsFile(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        if (!Files.exists(file)) {
            return rows;
        }
        List<String> lines = Files.readAllLines(file);
        for (String l : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = l.split(",");
            if (f.length != 7) {
                continue;
            }
            int[] order = Arrays.stream(f[6].trim().split(" ")).mapToInt(Integer::parseInt).toArray();
            rows.add(new Row(f[0], f[1], Integer.parseInt(f[2]), Double.parseDouble(f[3]), Integer.parseInt(f[4]),
                    Double.parseDouble(f[5]), order));
        }
        return rows;
    }

    private float[] scores(String method, MetaDataset.TaskRecord test, List<MetaDataset.TaskRecord> trainTasks,
                           Map<String, ImageSet> images, Map<String, float[]> globalMeans, FoldModels fold,
                           TrainSettings base, long seed) {
        int h = space.size();
        float[] s = new float[h];
        switch (method) {
            case "random" -> {
                Random rnd = new Random(seed);
                for (int i = 0; i < h; i++) {
                    s[i] = rnd.nextFloat();
                }
            }
            case "task-agnostic" -> {
                for (MetaDataset.TaskRecord t : trainTasks) {
                    double[] z = t.zTargets();
                    for (int i = 0; i < h; i++) {
                        s[i] += (float) z[i] / trainTasks.size();
                    }
                }
            }
            case "oracle-task" -> {
                // Not a method: the training task whose true ranking agrees best with the held-out task's, chosen
                // with hindsight. It bounds what borrowing one training task's ranking could ever reach.
                int[] truth = test.trueRanking();
                MetaDataset.TaskRecord best = trainTasks.stream().max(java.util.Comparator.comparingDouble(
                        t -> Metrics.ap10(t.trueRanking(), truth))).orElseThrow();
                s = scoresOf(best.trueRanking());
            }
            case "oracle-similarity" -> {
                // Not a method: the neighbour readout with the true r_ij (AP@10 agreement with the held-out task's
                // true ranking) as similarity, known only in hindsight: what a perfect L_sim embedding could reach.
                int[] truth = test.trueRanking();
                double[] r = new double[trainTasks.size()];
                double[][] z = new double[trainTasks.size()][];
                for (int j = 0; j < r.length; j++) {
                    r[j] = Metrics.agreement(trainTasks.get(j).trueRanking(), truth);
                    z[j] = trainTasks.get(j).zTargets();
                }
                s = TaskMemory.mix(TaskMemory.softmax(r, TaskMemory.DEFAULT_TEMPERATURE), z);
            }
            case "remeasured" -> {
                // Not a method: the held-out task's own trained models ranked by their accuracy on its test images
                // instead of its validation images. Its AP@10 and configurations-to-best say how much of the true
                // ranking is measurement noise: no prediction of the accuracies can be expected to do much better.
                double[] acc = test.testAtR();
                for (int i = 0; i < h; i++) {
                    if (Double.isNaN(acc[i])) {
                        throw new IllegalArgumentException(test.id() + " has no test-split accuracy for "
                                + "configuration " + i);
                    }
                    s[i] = (float) acc[i];
                }
            }
            case REPLICATE -> {
                // Not a method: the held-out task's own configurations trained again from another trainer seed and
                // ranked by their accuracy measured as the truth is (validation at R; with --truth-runs validation and
                // test at R). Training luck and measurement noise together: how far another run of the very same
                // search would agree with the truth.
                MetaDataset.TaskRecord again = replicates.get(test.id());
                for (int i = 0; i < h; i++) {
                    s[i] = (float) again.valAtR()[i];
                }
            }
            case "global-mean+neighbours" -> s = globalMeanNeighbours(test, trainTasks, globalMeans);
            case "nearest-task" -> {
                double[][] f = standardised(trainTasks, test);
                int best = 0;
                for (int j = 1; j < trainTasks.size(); j++) {
                    if (dist(f[j], f[trainTasks.size()]) < dist(f[best], f[trainTasks.size()])) {
                        best = j;
                    }
                }
                s = scoresOf(trainTasks.get(best).trueRanking());
            }
            case "meta-features+rf" -> {
                double[][] f = standardised(trainTasks, test);
                List<double[]> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (int j = 0; j < trainTasks.size(); j++) {
                    double[] z = trainTasks.get(j).zTargets();
                    for (int c = 0; c < h; c++) {
                        x.add(row(f[j], c));
                        y.add(z[c]);
                    }
                }
                RandomForest rf = RandomForest.fit(x.toArray(double[][]::new),
                        y.stream().mapToDouble(Double::doubleValue).toArray(), 100, 3, seed);
                for (int c = 0; c < h; c++) {
                    s[c] = (float) rf.predict(row(f[trainTasks.size()], c));
                }
            }
            case "global-mean" -> {
                try (GlobalMeanBaseline g = new GlobalMeanBaseline(space, Architecture.DEFAULT)) {
                    g.train(trainTasks.stream().map(t -> globalMeans.get(t.id())).toList(),
                            trainTasks.stream().map(MetaDataset.TaskRecord::zTargets).toList(), base.epochs(),
                            base.batchesPerTask(), base.configsPerStep(), base.learningRate(), seed);
                    s = g.predict(globalMeans.get(test.id()));
                }
            }
            default -> {
                Variant v = variantOf(method);
                HyperStarModel model = fold.models.get(v);
                if (model == null) {
                    model = HyperStarModel.create(space, Architecture.DEFAULT);
                    fold.models.put(v, model);
                    MetaTrainer.TrainingResult r = new MetaTrainer(model, base.withVariant(v, seed)).train(trainTasks
                            .stream().map(t -> MetaTrainer.TrainingTask.of(t, images.get(t.id()))).toList());
                    MetaTrainer.EpochLoss first = r.epochs().get(0);
                    MetaTrainer.EpochLoss last = r.epochs().get(r.epochs().size() - 1);
                    log.printf(Locale.ROOT, "    %s: %d steps in %.0f s; L_perf %.3f -> %.3f, L_sim %.3f -> %.3f, "
                            + "L_adv %.3f -> %.3f, L_D %.3f -> %.3f%n", v.label(), r.steps(), r.seconds(),
                            first.perf(), last.perf(), first.sim(), last.sim(), first.adv(), last.adv(), first.disc(),
                            last.disc());
                }
                TaskMemory m = null;
                if (method.endsWith(NEIGHBOURS)) {
                    HyperStarModel trained = model;
                    m = fold.memories.computeIfAbsent(v, x -> memory(trained, trainTasks, images, seed));
                }
                model.useMemory(m);
                Ranker.Ranking ranking = Ranker.rank(model, images.get(test.id()), Ranker.BATCHES, Ranker.PER_BATCH,
                        seed);
                s = ranking.scores();
                if (m != null) {
                    writeEmbeddings(method, test.id(), seed, ranking.embedding(), m);
                }
            }
        }
        return s;
    }

    /**
     * The neighbour readout over the frozen backbone's mean features instead of a learned embedding, the features
     * standardised over the training tasks (raw post-ReLU means all point the same way, every cosine near 1).
     */
    private static float[] globalMeanNeighbours(MetaDataset.TaskRecord test, List<MetaDataset.TaskRecord> trainTasks,
                                                Map<String, float[]> globalMeans) {
        double[][] f = new double[trainTasks.size() + 1][];
        for (int j = 0; j <= trainTasks.size(); j++) {
            float[] g = globalMeans.get((j < trainTasks.size() ? trainTasks.get(j) : test).id());
            f[j] = new double[g.length];
            for (int i = 0; i < g.length; i++) {
                f[j][i] = g[i];
            }
        }
        standardiseColumns(f, trainTasks.size(), 1e-6);
        float[][] x = new float[f.length][];
        for (int j = 0; j < f.length; j++) {
            x[j] = new float[f[j].length];
            for (int i = 0; i < f[j].length; i++) {
                x[j][i] = (float) f[j][i];
            }
        }
        return new TaskMemory(trainTasks.stream().map(MetaDataset.TaskRecord::id).toList(),
                Arrays.copyOf(x, trainTasks.size()),
                trainTasks.stream().map(MetaDataset.TaskRecord::zTargets).toArray(double[][]::new),
                TaskMemory.DEFAULT_TEMPERATURE).scores(x[trainTasks.size()]);
    }

    private void writeEmbeddings(String method, String task, long seed, float[] embedding, TaskMemory m) {
        StringBuilder b = new StringBuilder();
        // The generator seed is seed * 1000 + fold; the file, like the runs, names the seed.
        int seedNumber = (int) (seed / 1000);
        b.append(embeddingLine(method, task, seedNumber, task, embedding));
        for (int j = 0; j < m.tasks().size(); j++) {
            b.append(embeddingLine(method, task, seedNumber, m.tasks().get(j), m.embeddings()[j]));
        }
        try {
            Files.writeString(embeddingsFile, b, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String embeddingLine(String method, String task, int seed, String embedded, float[] v) {
        StringBuilder b = new StringBuilder(method).append(',').append(task).append(',').append(seed).append(',')
                .append(embedded).append(',');
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.5g", v[i]));
        }
        return b.append('\n').toString();
    }

    /** The trained model's memory of its training tasks, embedded as the ranking embeds a new task. */
    static TaskMemory memory(HyperStarModel model, List<MetaDataset.TaskRecord> trainTasks,
                             Map<String, ImageSet> images, long seed) {
        return TaskMemory.build(model, trainTasks.stream()
                        .map(t -> new TaskMemory.Entry(t.id(), images.get(t.id()), t.zTargets())).toList(),
                Ranker.BATCHES, Ranker.PER_BATCH, seed, TaskMemory.DEFAULT_TEMPERATURE);
    }

    /** The HyperSTAR variant a method trains: its label, with or without the {@link #NEIGHBOURS} readout suffix. */
    static Variant variantOf(String method) {
        String label = method.endsWith(NEIGHBOURS) ? method.substring(0, method.length() - NEIGHBOURS.length())
                : method;
        return Variant.fromLabel(label).orElseThrow(() -> new IllegalArgumentException("unknown method " + method
                + "; known: " + ALL_METHODS));
    }

    /** Scores that rank configurations in the given order (best first). */
    private static float[] scoresOf(int[] order) {
        float[] s = new float[order.length];
        for (int i = 0; i < order.length; i++) {
            s[order[i]] = order.length - i;
        }
        return s;
    }

    /**
     * Standardises every column of {@code rows} in place with the mean and (population) standard deviation of its
     * first {@code fit} rows, the training tasks; {@code epsilon} keeps a constant column finite.
     */
    private static void standardiseColumns(double[][] rows, int fit, double epsilon) {
        for (int d = 0; d < rows[0].length; d++) {
            double mean = 0;
            for (int i = 0; i < fit; i++) {
                mean += rows[i][d] / fit;
            }
            double var = 0;
            for (int i = 0; i < fit; i++) {
                var += (rows[i][d] - mean) * (rows[i][d] - mean) / fit;
            }
            double sd = Math.sqrt(var) + epsilon;
            for (double[] r : rows) {
                r[d] = (r[d] - mean) / sd;
            }
        }
    }

    /** Meta-features (log images, log classes, log images per class), standardised over the training tasks. */
    private static double[][] standardised(List<MetaDataset.TaskRecord> trainTasks, MetaDataset.TaskRecord test) {
        List<MetaDataset.TaskRecord> all = new ArrayList<>(trainTasks);
        all.add(test);
        double[][] f = new double[all.size()][];
        for (int i = 0; i < all.size(); i++) {
            MetaDataset.TaskRecord t = all.get(i);
            f[i] = new double[] {Math.log(t.train()), Math.log(t.classes()), Math.log((double) t.train() / t.classes())};
        }
        standardiseColumns(f, trainTasks.size(), 1e-9);
        return f;
    }

    private double[] row(double[] features, int config) {
        float[] oh = space.oneHot(config);
        double[] r = Arrays.copyOf(features, features.length + oh.length);
        for (int i = 0; i < oh.length; i++) {
            r[features.length + i] = oh[i];
        }
        return r;
    }

    private static double dist(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s;
    }

    /**
     * Merges every runs file under {@code out/runs} into ap10.csv, ap10.md and fig5a.csv, methods in the order
     * given (then any others found), tasks in the meta-dataset's order.
     */
    List<Row> report(MetaDataset meta, List<String> methodOrder, Path out) throws IOException {
        Map<String, Row> unique = new LinkedHashMap<>();
        for (Row r : readRuns(out.resolve("runs"))) {
            unique.putIfAbsent(r.key(), r);
        }
        List<String> methods = new ArrayList<>(methodOrder);
        unique.values().stream().map(Row::method).distinct().filter(m -> !methods.contains(m)).forEach(methods::add);
        methods.removeIf(m -> unique.values().stream().noneMatch(r -> r.method().equals(m)));
        List<String> taskOrder = meta.tasks().stream().map(MetaDataset.TaskRecord::id).toList();
        List<Row> rows = new ArrayList<>(unique.values());
        rows.sort(java.util.Comparator.comparingInt((Row r) -> methods.indexOf(r.method()))
                .thenComparingInt(r -> taskOrder.indexOf(r.task())).thenComparingInt(Row::seed));
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder("method,task,seed,ap10,configs_to_best\n");
        for (Row r : rows) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.4f,%d%n", r.method(), r.task(), r.seed(), r.ap10(),
                    r.configsToBest()));
        }
        Files.writeString(out.resolve("ap10.csv"), csv);
        Path descriptionFile = out.resolve("runs").resolve("description.txt");
        String description = Files.exists(descriptionFile) ? Files.readString(descriptionFile).trim() : "";
        Files.writeString(out.resolve("ap10.md"), markdown(rows, methods, taskOrder, description)
                + evidence(meta, rows, methods, space));

        // Figure 5a: best accuracy reached after k configurations in ranked order, relative to the task's best.
        Map<String, double[]> curve = new LinkedHashMap<>();
        Map<String, Integer> count = new LinkedHashMap<>();
        for (Row r : rows) {
            double[] acc = meta.task(r.task()).valAtR();
            double best = Arrays.stream(acc).max().orElse(1);
            double[] c = curve.computeIfAbsent(r.method(), x -> new double[acc.length]);
            double running = 0;
            for (int k = 0; k < acc.length; k++) {
                running = Math.max(running, acc[r.order()[k]]);
                c[k] += best > 0 ? running / best : 1;
            }
            count.merge(r.method(), 1, Integer::sum);
        }
        StringBuilder fig = new StringBuilder("method,k,mean_best_fraction\n");
        for (Map.Entry<String, double[]> e : curve.entrySet()) {
            for (int k = 0; k < e.getValue().length; k++) {
                fig.append(String.format(Locale.ROOT, "%s,%d,%.4f%n", e.getKey(), k + 1,
                        e.getValue()[k] / count.get(e.getKey())));
            }
        }
        Files.writeString(out.resolve("fig5a.csv"), fig);
        return rows;
    }

    /** Mean and spread (standard deviation over seeds) of a statistic, per method, task and on average. */
    private static String markdown(List<Row> rows, List<String> methods, List<String> taskOrder, String description) {
        List<String> tasks = taskOrder.stream().filter(t -> rows.stream().anyMatch(r -> r.task().equals(t))).toList();
        List<Integer> seeds = rows.stream().map(Row::seed).distinct().sorted().toList();
        StringBuilder md = new StringBuilder("# Leave-one-task-out evaluation (Tables 1-2 and Figure 5a on our task suite)\n\n");
        md.append(description).append(".\n\n");
        md.append("Written by `io.hyperstar.bench.Evaluation` from `runs/*.csv`. Each fold trains on the other ")
                .append(taskOrder.size() - 1).append(" tasks and ranks the held-out one; AP@10 (in %) compares the ")
                .append("predicted top 10 with the true top 10; configurations-to-best counts the configurations ")
                .append("evaluated in ranked order up to and including the true best (lower is better). ")
                .append("Spread: ± one standard deviation over seeds (per task: of the task's AP@10; on average: of ")
                .append("the per-seed mean over tasks).\n\n");
        md.append("## On average (Table 1's last column)\n\n");
        md.append("| method | mean AP@10 | mean configs-to-best | tasks x seeds | CPU s per fold |\n|---|---:|---:|---:|---:|\n");
        Map<String, Double> meanAp = new LinkedHashMap<>();
        Map<String, Double> meanCtb = new LinkedHashMap<>();
        for (String m : methods) {
            List<Row> rs = rows.stream().filter(r -> r.method().equals(m)).toList();
            double[] perSeedAp = seeds.stream().mapToDouble(s -> rs.stream().filter(r -> r.seed() == s)
                    .mapToDouble(Row::ap10).average().orElse(Double.NaN)).filter(d -> !Double.isNaN(d)).toArray();
            double[] perSeedCtb = seeds.stream().mapToDouble(s -> rs.stream().filter(r -> r.seed() == s)
                    .mapToInt(Row::configsToBest).average().orElse(Double.NaN)).filter(d -> !Double.isNaN(d))
                    .toArray();
            meanAp.put(m, rs.stream().mapToDouble(Row::ap10).average().orElse(Double.NaN));
            meanCtb.put(m, rs.stream().mapToInt(Row::configsToBest).average().orElse(Double.NaN));
            md.append(String.format(Locale.ROOT, "| %s | **%.1f** ± %.1f | %.1f ± %.1f | %d | %.1f |%n",
                    REFERENCES.contains(m) ? m + " (hindsight reference, not a method)"
                            : ABLATIONS.contains(m) ? m + " (ablation: our readout, frozen features)" : m,
                    100 * meanAp.get(m), 100 * sd(perSeedAp), meanCtb.get(m), sd(perSeedCtb), rs.size(),
                    rs.stream().mapToDouble(Row::seconds).average().orElse(0)));
        }
        md.append('\n').append(verdict(meanAp, meanCtb)).append("\n\n");
        md.append("## AP@10 per task (Tables 1-2), mean ± spread over seeds\n\n");
        int chunk = 6;
        for (int from = 0; from < tasks.size(); from += chunk) {
            List<String> part = tasks.subList(from, Math.min(tasks.size(), from + chunk));
            md.append("| method | ").append(String.join(" | ", part)).append(" |\n");
            md.append("|---|").append("---:|".repeat(part.size())).append('\n');
            for (String m : methods) {
                md.append("| ").append(m).append(" |");
                for (String t : part) {
                    double[] ap = rows.stream().filter(r -> r.method().equals(m) && r.task().equals(t))
                            .mapToDouble(Row::ap10).toArray();
                    md.append(String.format(Locale.ROOT, " %.1f ± %.1f |", 100 * Arrays.stream(ap).average()
                            .orElse(Double.NaN), 100 * sd(ap)));
                }
                md.append('\n');
            }
            md.append('\n');
        }
        md.append("## Configurations to the best, per task (mean over seeds)\n\n");
        md.append("| method | ").append(String.join(" | ", tasks)).append(" |\n");
        md.append("|---|").append("---:|".repeat(tasks.size())).append('\n');
        for (String m : methods) {
            md.append("| ").append(m).append(" |");
            for (String t : tasks) {
                md.append(String.format(Locale.ROOT, " %.1f |", rows.stream()
                        .filter(r -> r.method().equals(m) && r.task().equals(t)).mapToInt(Row::configsToBest)
                        .average().orElse(Double.NaN)));
            }
            md.append('\n');
        }
        md.append("\n![Figure 5a](fig5a.png)\n");
        return md.toString();
    }

    /**
     * The figures the report's explanation rests on, computed from the meta-dataset and the rows: how flat the top
     * of a task's ranking is in the predictor's units, how well the task-agnostic mean predicts those units in and
     * out of sample, and on how many tasks each method beats the task-agnostic ranking.
     */
    static String evidence(MetaDataset meta, List<Row> rows, List<String> methods, ConfigSpace space) {
        List<MetaDataset.TaskRecord> tasks = meta.tasks();
        int h = tasks.get(0).valAtR().length;
        double[] atRank = new double[3];
        double below = 0;
        int[] belowPerConfig = new int[h];
        for (MetaDataset.TaskRecord t : tasks) {
            for (int c = 0; c < h; c++) {
                belowPerConfig[c] += t.zTargets()[c] < -1 ? 1 : 0;
            }
            double[] z = t.zTargets().clone();
            Arrays.sort(z);
            atRank[0] += z[h - 1] / tasks.size();
            atRank[1] += z[h - 10] / tasks.size();
            atRank[2] += z[h - 20] / tasks.size();
            below += Arrays.stream(z).filter(v -> v < -1).count() / (double) tasks.size();
        }
        double inSample = 0;
        double heldOut = 0;
        for (MetaDataset.TaskRecord test : tasks) {
            double[] mean = new double[h];
            for (MetaDataset.TaskRecord t : tasks) {
                if (t != test) {
                    for (int c = 0; c < h; c++) {
                        mean[c] += t.zTargets()[c] / (tasks.size() - 1);
                    }
                }
            }
            for (MetaDataset.TaskRecord t : tasks) {
                double se = 0;
                for (int c = 0; c < h; c++) {
                    se += Math.pow(t.zTargets()[c] - mean[c], 2) / h;
                }
                if (t == test) {
                    heldOut += se / tasks.size();
                } else {
                    inSample += se / (tasks.size() * (tasks.size() - 1.0));
                }
            }
        }
        StringBuilder md = new StringBuilder("\n## Evidence for the explanation (docs/benchmarks/README.md)\n\n");
        md.append(String.format(Locale.ROOT, "- z-normalised accuracy at R (the L_perf target), mean over the %d tasks: "
                + "best configuration %.2f, 10th %.2f, 20th %.2f; configurations below -1: %.1f of %d.%n",
                tasks.size(), atRank[0], atRank[1], atRank[2], below, h));
        md.append("- Configurations most often below -1 (tasks out of ").append(tasks.size()).append("): ");
        int[] often = Metrics.orderDescending(Arrays.stream(belowPerConfig).asDoubleStream().toArray());
        for (int i = 0; i < 6; i++) {
            md.append(i == 0 ? "" : ", ").append(often[i]).append(' ').append(space.config(often[i]).values())
                    .append(": ").append(belowPerConfig[often[i]]);
        }
        md.append(".\n");
        md.append(String.format(Locale.ROOT, "- The task-agnostic mean as a predictor of z, leave one task out: mean "
                + "squared error %.3f on the training tasks, %.3f on the held-out task (root mean square %.2f).%n",
                inSample, heldOut, Math.sqrt(heldOut)));
        // Where the held-out task's best configuration sits in the training tasks' own rankings: any ranking built
        // from those rankings (a mean, a similarity-weighted mix, one borrowed ranking) starts from there.
        double medianPosition = 0;
        double bestPosition = 0;
        List<String> buried = new ArrayList<>();
        for (MetaDataset.TaskRecord test : tasks) {
            double best = Arrays.stream(test.valAtR()).max().orElseThrow();
            List<Integer> positions = new ArrayList<>();
            for (MetaDataset.TaskRecord t : tasks) {
                if (t != test) {
                    int[] order = t.trueRanking();
                    int p = 0;
                    while (test.valAtR()[order[p]] != best) {
                        p++;
                    }
                    positions.add(p + 1);
                }
            }
            Collections.sort(positions);
            int median = positions.get(positions.size() / 2);
            medianPosition += median / (double) tasks.size();
            bestPosition += positions.get(0) / (double) tasks.size();
            if (median > 30) {
                buried.add(test.id() + " " + median);
            }
        }
        md.append(String.format(Locale.ROOT, "- Position of the held-out task's best configuration in the other tasks' "
                + "true rankings, mean over tasks: %.1f in the median other task, %.1f in the most favourable one "
                + "(known only in hindsight); median position above 30: %s.%n", medianPosition, bestPosition,
                buried.isEmpty() ? "none" : String.join(", ", buried)));
        // The noise floor: each task's own trained models, ranked by their accuracy on its test images, scored against
        // the validation ranking. No method predicts the validation split's sampling noise.
        double remeasuredAp = 0;
        double remeasuredToBest = 0;
        int remeasured = 0;
        for (MetaDataset.TaskRecord t : tasks) {
            if (Arrays.stream(t.testAtR()).noneMatch(Double::isNaN)) {
                int[] order = Metrics.orderDescending(t.testAtR());
                remeasuredAp += Metrics.ap10(order, t.trueRanking());
                remeasuredToBest += Metrics.configsToBest(order, t.valAtR());
                remeasured++;
            }
        }
        if (remeasured > 0) {
            md.append(String.format(Locale.ROOT, "- Measurement noise (the remeasured reference): each task's own "
                    + "trained models ranked by their accuracy on its test images instead of its validation images "
                    + "reach AP@10 %.1f and need %.1f configurations to the best, mean over %d tasks.%n",
                    100 * remeasuredAp / remeasured, remeasuredToBest / remeasured, remeasured));
        }
        List<String> tasksScored = rows.stream().map(Row::task).distinct().toList();
        for (String m : methods) {
            if (m.equals("task-agnostic")) {
                continue;
            }
            long wins = tasksScored.stream().filter(t -> meanAp(rows, m, t) > meanAp(rows, "task-agnostic", t)).count();
            md.append(String.format(Locale.ROOT, "- %s beats task-agnostic on %d of %d tasks (mean AP@10 over seeds).%n",
                    m, wins, tasksScored.size()));
        }
        md.append(bootstrap(rows, tasksScored));
        return md.toString();
    }

    /**
     * How sure the relative gain over the best baseline is, given a few dozen tasks: tasks resampled with replacement
     * (each task's AP@10 averaged over seeds first, so the seed spread is not in it), the ratio of the two methods'
     * means recomputed per resample.
     */
    static String bootstrap(List<Row> rows, List<String> tasks) {
        Map<String, Double> meanAp = rows.stream().collect(java.util.stream.Collectors.groupingBy(Row::method,
                java.util.stream.Collectors.averagingDouble(Row::ap10)));
        String best = bestBaseline(meanAp);
        if (best == null) {
            return "";
        }
        double[] base = tasks.stream().mapToDouble(t -> meanAp(rows, best, t)).toArray();
        StringBuilder md = new StringBuilder();
        int resamples = 10_000;
        for (String m : meanAp.keySet().stream().filter(Evaluation::isOurs).sorted().toList()) {
            double[] ours = tasks.stream().mapToDouble(t -> meanAp(rows, m, t)).toArray();
            Random rnd = new Random(1);
            double[] gain = new double[resamples];
            for (int b = 0; b < resamples; b++) {
                double so = 0;
                double sb = 0;
                for (int i = 0; i < ours.length; i++) {
                    int k = rnd.nextInt(ours.length);
                    so += ours[k];
                    sb += base[k];
                }
                gain[b] = sb > 0 ? so / sb - 1 : 0;
            }
            Arrays.sort(gain);
            long atTarget = Arrays.stream(gain).filter(g -> g >= 0.25).count();
            md.append(String.format(Locale.ROOT, "- %s against %s, relative gain in mean AP@10 with the %d tasks "
                            + "resampled (%,d paired bootstrap resamples, seed 1): 95%% interval [%+.1f%%, %+.1f%%]; "
                            + "resamples at or above the +25%% target: %.1f%%.%n", m, best, tasks.size(), resamples,
                    100 * gain[(int) (0.025 * resamples)], 100 * gain[(int) (0.975 * resamples) - 1],
                    100.0 * atTarget / resamples));
        }
        return md.toString();
    }

    private static double meanAp(List<Row> rows, String method, String task) {
        return rows.stream().filter(r -> r.method().equals(method) && r.task().equals(task)).mapToDouble(Row::ap10)
                .average().orElse(Double.NaN);
    }

    /** The two targets, computed: +25% relative mean AP@10 over the best baseline, half its configs-to-best. */
    static String verdict(Map<String, Double> meanAp, Map<String, Double> meanCtb) {
        String bestBaseline = bestBaseline(meanAp);
        String bestOurs = meanAp.keySet().stream().filter(Evaluation::isOurs)
                .max(java.util.Comparator.comparingDouble(meanAp::get)).orElse(null);
        if (bestBaseline == null || bestOurs == null) {
            return "Targets not computed: the runs hold no baseline or no HyperSTAR variant.";
        }
        String fewestBaseline = BASELINES.stream().filter(meanCtb::containsKey)
                .min(java.util.Comparator.comparingDouble(meanCtb::get)).orElseThrow();
        double gain = meanAp.get(bestOurs) / meanAp.get(bestBaseline) - 1;
        double ratio = meanCtb.get(bestOurs) / meanCtb.get(fewestBaseline);
        return String.format(Locale.ROOT, "Best variant **%s** (AP@10 %.1f) against the best baseline **%s** (%.1f): "
                        + "**%+.1f%%** relative (target +25%%: %s). Configurations to the best: %s needs %.1f, the best "
                        + "baseline on that count (%s) %.1f, a ratio of **%.2f** (target at most 0.5: %s).",
                bestOurs, 100 * meanAp.get(bestOurs), bestBaseline, 100 * meanAp.get(bestBaseline), 100 * gain,
                gain >= 0.25 ? "met" : "missed", bestOurs, meanCtb.get(bestOurs), fewestBaseline,
                meanCtb.get(fewestBaseline), ratio, ratio <= 0.5 ? "met" : "missed")
                + ABLATIONS.stream().filter(meanAp::containsKey).map(a -> String.format(Locale.ROOT,
                        " Against the ablation %s (%.1f, not one of the issue's baselines): %+.1f%%.", a,
                        100 * meanAp.get(a), 100 * (meanAp.get(bestOurs) / meanAp.get(a) - 1)))
                .collect(java.util.stream.Collectors.joining());
    }

    /** A HyperSTAR variant: not one of the baselines, an ablation or a hindsight reference. */
    static boolean isOurs(String method) {
        return !BASELINES.contains(method) && !REFERENCES.contains(method) && !ABLATIONS.contains(method);
    }

    /** The baseline with the highest mean AP@10 among those scored (null if none). */
    static String bestBaseline(Map<String, Double> meanAp) {
        return BASELINES.stream().filter(meanAp::containsKey).max(java.util.Comparator.comparingDouble(meanAp::get))
                .orElse(null);
    }

    private static double sd(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double mean = Arrays.stream(v).average().orElse(0);
        return Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (v.length - 1));
    }
}
