package io.hyperstar.bench;

import io.hyperstar.catalog.ImageSet;
import io.hyperstar.catalog.TaskData;
import io.hyperstar.metalearn.MetaDataset;
import io.hyperstar.metalearn.Metrics;
import io.hyperstar.metalearn.RandomForest;
import io.hyperstar.model.Architecture;
import io.hyperstar.model.GlobalMeanBaseline;
import io.hyperstar.model.HyperStarModel;
import io.hyperstar.model.MetaTrainer;
import io.hyperstar.model.ModelArtifact;
import io.hyperstar.model.Ranker;
import io.hyperstar.model.TrainSettings;
import io.hyperstar.model.Variant;
import io.hyperstar.space.ConfigSpace;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 *     [--seeds 1] [--epochs 60] [--images 64] [--batches 10] [--configs 10] [--methods a,b,...]
 *     [--save-model DIR [--save-variant BM]]
 * </pre>
 * Writes {@code ap10.csv} (method,task,seed,ap10,configs_to_best), {@code ap10.md} and {@code fig5a.csv}
 * (method,k,mean_best_fraction: the best true accuracy among the first k ranked configurations over the task's
 * best, averaged over tasks and seeds). With {@code --save-model}, also trains that variant on every task and saves
 * it as a model artifact whose validation AP@10 is the variant's leave-one-task-out mean.
 */
public final class Evaluation {

    static final List<String> ALL_METHODS = List.of("random", "task-agnostic", "meta-features+rf", "nearest-task",
            "global-mean", "BM", "BM+GAN", "BM+Sim", "BM+Sim+GAN");

    record Row(String method, String task, int seed, double ap10, int configsToBest, int[] order) {
    }

    private final ConfigSpace space;
    private final PrintStream log;

    Evaluation(ConfigSpace space, PrintStream log) {
        this.space = space;
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        List<Path> metaDirs = List.of(Path.of("src/main/resources/metadataset"));
        Path data = Path.of("data");
        Path out = Path.of("docs/benchmarks");
        int seeds = 1;
        int epochs = 60;
        int images = 64;
        int batches = 10;
        int configs = 10;
        List<String> methods = ALL_METHODS;
        Path saveModel = null;
        String saveVariant = "BM";
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
                case "--methods" -> methods = Arrays.asList(args[++i].split(","));
                case "--save-model" -> saveModel = Path.of(args[++i]);
                case "--save-variant" -> saveVariant = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ConfigSpace space = ConfigSpace.bundled();
        MetaDataset meta = merge(metaDirs, space);
        Map<String, ImageSet> train = new LinkedHashMap<>();
        for (MetaDataset.TaskRecord t : meta.tasks()) {
            train.put(t.id(), TaskData.load(data.resolve("tasks").resolve(t.id())).train());
        }
        Evaluation e = new Evaluation(space, System.err);
        List<Row> rows = e.run(meta, train, methods, seeds,
                TrainSettings.defaults(Variant.BM, epochs, 0).withBatches(images, batches), configs, out,
                "meta-dataset " + metaDirs + ": " + meta.tasks().size() + " complete tasks x " + space.size()
                        + " configurations, R = " + meta.epochs() + " epochs; " + seeds + " seed(s); HyperSTAR: "
                        + epochs + " passes, N_img = " + images + ", B_img = " + batches + ", O_hyper = " + configs
                        + "; ranking with B = " + Ranker.BATCHES + " x N = " + Ranker.PER_BATCH + " images");
        System.out.println("wrote " + rows.size() + " rows to " + out);
        if (saveModel != null) {
            String v = saveVariant;
            Double validation = rows.stream().filter(r -> r.method().equals(v)).mapToDouble(Row::ap10).average()
                    .stream().boxed().findFirst().orElse(null);
            ModelArtifact.Metadata saved = e.trainAndSave(meta, train, Variant.fromLabel(v).orElseThrow(
                    () -> new IllegalArgumentException("unknown variant " + v)), epochs, images, batches, configs,
                    validation, saveModel);
            System.out.println("saved model " + saved.version() + " to " + saveModel + " (validation AP@10 "
                    + saved.validationAp10() + ")");
        }
    }

    /**
     * Trains the chosen variant on every task of the meta-dataset and saves it; {@code validation} is the variant's
     * leave-one-task-out AP@10 (the figure the meta-learner gates a new model on).
     */
    ModelArtifact.Metadata trainAndSave(MetaDataset meta, Map<String, ImageSet> images, Variant variant, int epochs,
                                        int perBatch, int batches, int configs, Double validation, Path dir)
            throws IOException {
        ai.djl.engine.Engine.getInstance().setRandomSeed(1);
        TrainSettings ts = new TrainSettings(variant, epochs, perBatch, batches, configs, 5, 1f, 0.1f, 1e-3f, 1);
        try (HyperStarModel model = HyperStarModel.create(space, Architecture.DEFAULT)) {
            new MetaTrainer(model, ts).train(meta.tasks().stream()
                    .map(t -> MetaTrainer.TrainingTask.of(t, images.get(t.id()))).toList());
            String now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            return ModelArtifact.save(model, new ModelArtifact.Metadata(ModelArtifact.FORMAT,
                    now + "-" + variant.label(), space.fingerprint(), Architecture.DEFAULT, variant.label(),
                    meta.tasks().stream().map(MetaDataset.TaskRecord::id).toList(), meta.records(), validation, null,
                    now), dir);
        }
    }

    /** The complete tasks of one or more meta-dataset folders (a task found twice is taken from the first). */
    static MetaDataset merge(List<Path> dirs, ConfigSpace space) throws IOException {
        List<MetaDataset.TaskRecord> tasks = new ArrayList<>();
        int epochs = -1;
        for (Path d : dirs) {
            MetaDataset m = MetaDataset.load(d, space).completeOnly();
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

    List<Row> run(MetaDataset meta, Map<String, ImageSet> images, List<String> methods, int seeds,
                  TrainSettings base, int configsPerStep, Path out, String description) throws IOException {
        List<MetaDataset.TaskRecord> tasks = meta.tasks();
        List<Row> rows = new ArrayList<>();
        Map<String, float[]> globalMeans = new LinkedHashMap<>();
        if (methods.contains("global-mean")) {
            try (GlobalMeanBaseline g = new GlobalMeanBaseline(space, Architecture.DEFAULT)) {
                for (MetaDataset.TaskRecord t : tasks) {
                    globalMeans.put(t.id(), g.globalMean(images.get(t.id())));
                }
            }
        }
        for (int k = 0; k < tasks.size(); k++) {
            MetaDataset.TaskRecord test = tasks.get(k);
            List<MetaDataset.TaskRecord> trainTasks = new ArrayList<>(tasks);
            trainTasks.remove(k);
            int[] truth = test.trueRanking();
            for (int seed = 1; seed <= seeds; seed++) {
                for (String method : methods) {
                    long start = System.nanoTime();
                    // DJL initialises parameters from the engine's generator: seed it so a rerun gives the same table.
                    ai.djl.engine.Engine.getInstance().setRandomSeed((int) (seed * 1000L + k));
                    float[] scores = scores(method, test, trainTasks, images, globalMeans, base, configsPerStep,
                            seed * 1000L + k);
                    int[] order = Metrics.orderDescending(scores);
                    Row row = new Row(method, test.id(), seed, Metrics.ap10(order, truth),
                            Metrics.configsToBest(order, test.valAtR()), order);
                    rows.add(row);
                    log.printf(Locale.ROOT, "[%d/%d] %-14s seed %d %-26s AP@10 %.3f  to-best %2d  (%.1f s)%n", k + 1,
                            tasks.size(), method, seed, test.id(), row.ap10(), row.configsToBest(),
                            (System.nanoTime() - start) / 1e9);
                }
            }
            write(rows, tasks, methods, out, description);
        }
        return rows;
    }

    private float[] scores(String method, MetaDataset.TaskRecord test, List<MetaDataset.TaskRecord> trainTasks,
                           Map<String, ImageSet> images, Map<String, float[]> globalMeans, TrainSettings base,
                           int configsPerStep, long seed) {
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
            case "nearest-task" -> {
                double[][] f = standardised(trainTasks, test);
                int best = 0;
                for (int j = 1; j < trainTasks.size(); j++) {
                    if (dist(f[j], f[trainTasks.size()]) < dist(f[best], f[trainTasks.size()])) {
                        best = j;
                    }
                }
                int[] order = trainTasks.get(best).trueRanking();
                for (int i = 0; i < h; i++) {
                    s[order[i]] = h - i;
                }
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
                            base.batchesPerTask(), configsPerStep, base.learningRate(), seed);
                    s = g.predict(globalMeans.get(test.id()));
                }
            }
            default -> {
                Variant v = Variant.fromLabel(method).orElseThrow(() -> new IllegalArgumentException("unknown method " + method + "; known: "
                                + ALL_METHODS));
                TrainSettings ts = new TrainSettings(v, base.epochs(), base.imagesPerBatch(), base.batchesPerTask(),
                        configsPerStep, base.window(), base.alpha(), base.beta(), base.learningRate(), seed);
                try (HyperStarModel model = HyperStarModel.create(space, Architecture.DEFAULT)) {
                    MetaTrainer.TrainingResult r = new MetaTrainer(model, ts).train(trainTasks.stream()
                            .map(t -> MetaTrainer.TrainingTask.of(t, images.get(t.id()))).toList());
                    MetaTrainer.EpochLoss first = r.epochs().get(0);
                    MetaTrainer.EpochLoss last = r.epochs().get(r.epochs().size() - 1);
                    log.printf(Locale.ROOT, "    %s: %d steps in %.0f s; L_perf %.3f -> %.3f, L_sim %.3f -> %.3f, "
                            + "L_adv %.3f -> %.3f, L_D %.3f -> %.3f%n", method, r.steps(), r.seconds(), first.perf(),
                            last.perf(), first.sim(), last.sim(), first.adv(), last.adv(), first.disc(), last.disc());
                    s = Ranker.rank(model, images.get(test.id()), Ranker.BATCHES, Ranker.PER_BATCH, seed).scores();
                }
            }
        }
        return s;
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
        for (int d = 0; d < 3; d++) {
            double mean = 0;
            for (int i = 0; i < trainTasks.size(); i++) {
                mean += f[i][d] / trainTasks.size();
            }
            double var = 0;
            for (int i = 0; i < trainTasks.size(); i++) {
                var += (f[i][d] - mean) * (f[i][d] - mean) / trainTasks.size();
            }
            double sd = Math.sqrt(var) + 1e-9;
            for (double[] r : f) {
                r[d] = (r[d] - mean) / sd;
            }
        }
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

    private static void write(List<Row> rows, List<MetaDataset.TaskRecord> tasks, List<String> methods, Path out,
                              String description) throws IOException {
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder("method,task,seed,ap10,configs_to_best\n");
        for (Row r : rows) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.4f,%d%n", r.method(), r.task(), r.seed(), r.ap10(),
                    r.configsToBest()));
        }
        Files.writeString(out.resolve("ap10.csv"), csv);

        List<String> done = rows.stream().map(Row::task).distinct().toList();
        StringBuilder md = new StringBuilder("# Leave-one-task-out AP@10 (Tables 1-2 on our task suite)\n\n");
        md.append(description).append(".\n\n");
        md.append("AP@10 in %, mean over seeds; the last columns are the mean over tasks of AP@10 and of the number "
                + "of configurations evaluated in ranked order before the best one (configurations-to-best; "
                + "lower is better). Written by `io.hyperstar.bench.Evaluation`.\n\n");
        md.append("| method | ").append(String.join(" | ", done)).append(" | mean AP@10 | mean configs-to-best |\n");
        md.append("|---|").append("---:|".repeat(done.size())).append("---:|---:|\n");
        for (String m : methods) {
            md.append("| ").append(m).append(" |");
            double sum = 0;
            double ctb = 0;
            int n = 0;
            for (String t : done) {
                List<Row> rs = rows.stream().filter(r -> r.method().equals(m) && r.task().equals(t)).toList();
                double ap = rs.stream().mapToDouble(Row::ap10).average().orElse(Double.NaN);
                md.append(String.format(Locale.ROOT, " %.1f |", 100 * ap));
                sum += ap;
                ctb += rs.stream().mapToInt(Row::configsToBest).average().orElse(Double.NaN);
                n++;
            }
            md.append(String.format(Locale.ROOT, " **%.1f** | %.1f |%n", 100 * sum / n, ctb / n));
        }
        Files.writeString(out.resolve("ap10.md"), md);

        // Figure 5a: best accuracy reached after k configurations in ranked order, relative to the task's best.
        Map<String, double[]> curve = new LinkedHashMap<>();
        Map<String, Integer> count = new LinkedHashMap<>();
        for (Row r : rows) {
            double[] acc = tasks.stream().filter(t -> t.id().equals(r.task())).findFirst().orElseThrow().valAtR();
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
    }
}
