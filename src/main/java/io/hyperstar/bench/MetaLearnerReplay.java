package io.hyperstar.bench;

import io.hyperstar.catalog.DataRoots;
import io.hyperstar.catalog.ImageSet;
import io.hyperstar.events.MetaDatasetRecord;
import io.hyperstar.hyperband.Strategy;
import io.hyperstar.hyperband.Experiment;
import io.hyperstar.hyperband.ExperimentMachine;
import io.hyperstar.hyperband.Simulator;
import io.hyperstar.hyperband.TrialOrder;
import io.hyperstar.hyperband.TuningSpec;
import io.hyperstar.metalearn.MetaDataset;
import io.hyperstar.metalearn.MetaLearner;
import io.hyperstar.model.HyperStarModel;
import io.hyperstar.model.TaskMemory;
import io.hyperstar.model.ModelArtifact;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.worker.ReplayRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Does continuous retraining pay? The meta-learner replayed on the meta-dataset: tasks are shuffled; the first
 * {@code --gate} are its gate tasks (never trained on), the next {@code --start} train the initial model, and the
 * rest arrive as newly registered datasets, {@code --step} at a time, each with the full-budget results a platform
 * would send: either those of one vanilla Hyperband search (R = 27, eta = 3, replayed on the recorded curves by the
 * scheduler's own state machine: what one experiment on the dataset folds back), turned into targets by their own
 * z-scores or {@link MetaLearner#anchored anchored}, those of three searches (seeds 1-3, anchored), or every
 * configuration's. After each step the meta-learner
 * retrains and gates; the table records each candidate's held-out AP@10 on the gate tasks.
 *
 * <pre>
 * src/data/java.sh io.hyperstar.bench.MetaLearnerReplay --metadataset src/main/resources/metadataset --data data \
 *     --out docs/benchmarks/meta-learner [--gate 8 --start 10 --step 6 --epochs 30 --orders 3]
 * </pre>
 */
public final class MetaLearnerReplay {

    /** What arrives per dataset, and how partial results become targets. */
    static final List<String> STREAMS = List.of("one Hyperband search (own z-scores)",
            "one Hyperband search (anchored)", "three Hyperband searches (anchored)", "every configuration");

    private MetaLearnerReplay() {
    }

    /**
     * arrivingAp10: the model in use (before the step's retraining) on the step's arriving datasets, against all 90
     * recorded results; arrivingInitialAp10: the initial model on the same datasets, the reference for it.
     */
    record Row(int order, String stream, int step, int trainingTasks, int records, double candidateAp10,
               double inUseAp10, boolean published, double seconds, double arrivingAp10, double arrivingInitialAp10) {
    }

    public static void main(String[] args) throws Exception {
        Path metaDir = Path.of("src/main/resources/metadataset");
        Path data = Path.of("data");
        Path out = Path.of("docs/benchmarks/meta-learner");
        int gateCount = 8;
        int start = 10;
        int step = 6;
        int epochs = 30;
        int orders = 3;
        boolean reportOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--metadataset" -> metaDir = Path.of(args[++i]);
                case "--data" -> data = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--gate" -> gateCount = Integer.parseInt(args[++i]);
                case "--start" -> start = Integer.parseInt(args[++i]);
                case "--step" -> step = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--orders" -> orders = Integer.parseInt(args[++i]);
                case "--report-only" -> reportOnly = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (reportOnly) {
            write(read(out.resolve("results.csv")), out, start, gateCount, step, epochs,
                    String.join(" ", args).replace(" --report-only", ""));
            return;
        }
        ConfigSpace space = ConfigSpace.bundled();
        // Training targets as the shipped model's (pooled); a registered dataset's results are what the scheduler
        // sends: validation top-1 at R.
        MetaDataset pooled = MetaDataset.load(metaDir, space, 3).completeOnly();
        MetaDataset atR = MetaDataset.load(metaDir, space).completeOnly();
        ReplayRunner curves = ReplayRunner.load(metaDir.resolve("curves.csv"));
        Map<String, ImageSet> images = pooled.trainingImages(data);
        Files.createDirectories(out);
        List<Row> rows = new ArrayList<>();
        int steps = (pooled.tasks().size() - gateCount - start + step - 1) / step;
        long began = System.nanoTime();
        int done = 0;
        int total = orders * STREAMS.size() * steps;
        for (int order = 1; order <= orders; order++) {
            List<String> ids = new ArrayList<>(pooled.tasks().stream().map(MetaDataset.TaskRecord::id).toList());
            Collections.shuffle(ids, new Random(order));
            List<String> gate = ids.subList(0, gateCount);
            List<String> initial = ids.subList(gateCount, gateCount + start);
            List<String> arriving = ids.subList(gateCount + start, ids.size());
            MetaDataset bootstrap = new MetaDataset(pooled.epochs(), pooled.tasks().stream()
                    .filter(t -> gate.contains(t.id()) || initial.contains(t.id())).toList());
            Path initialDir = out.resolve("models").resolve("order-" + order).resolve("initial");
            saveInitial(space, bootstrap, initial, images, epochs, initialDir);
            double[] initialOnArrivals = new double[steps];
            try (HyperStarModel m = ModelArtifact.load(initialDir, space)) {
                for (int k = 0; k < steps; k++) {
                    initialOnArrivals[k] = MetaLearner.meanAp10(m, arriving.subList(k * step, Math.min(arriving.size(),
                            (k + 1) * step)).stream().map(atR::task).toList(), images);
                }
            }
            for (String stream : STREAMS) {
                Path models = out.resolve("models").resolve("order-" + order).resolve("stream-"
                        + STREAMS.indexOf(stream));
                MetaLearner.Settings s = MetaLearner.Settings.defaults(models);
                // Every step retrains; registered datasets are never gate tasks here, so the gate stays fixed.
                s = new MetaLearner.Settings(1, s.retrainAfter(), 2, Integer.MAX_VALUE, s.train().withEpochs(epochs), models,
                        !stream.contains("own z-scores"));
                try (MetaLearner learner = new MetaLearner(space, bootstrap, images, new DataRoots(List.of(data)),
                        initialDir, s)) {
                    for (int k = 0; k < steps; k++) {
                        List<String> now = arriving.subList(k * step, Math.min(arriving.size(), (k + 1) * step));
                        // Out of sample: ranked before their results are folded, scored against all 90 recorded.
                        double arrivingAp = learner.inUseAp10(now.stream().map(atR::task).toList(), images);
                        for (String id : now) {
                            for (MetaDatasetRecord r : results(stream, atR.task(id), atR.epochs(), curves, space, data)) {
                                String refused = learner.fold(r);
                                if (refused != null) {
                                    throw new IllegalStateException(refused);
                                }
                            }
                        }
                        long t0 = System.nanoTime();
                        MetaLearner.Attempt a = learner.retrain();
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        rows.add(new Row(order, stream, k + 1, learner.trainingTasks(), learner.trainingRecords(),
                                a.candidateAp10(), a.incumbentAp10(), a.published().isPresent(), seconds, arrivingAp,
                                initialOnArrivals[k]));
                        done++;
                        double rate = done / ((System.nanoTime() - began) / 1e9);
                        System.out.printf(Locale.ROOT, "order %d, %s, step %d/%d: %d tasks, candidate %.3f, in use "
                                        + "%.3f, %s; %d/%d retrainings, %.1f per min, ETA %.0f s%n", order, stream,
                                k + 1, steps, learner.trainingTasks(), a.candidateAp10(), a.incumbentAp10(),
                                a.published().isPresent() ? "published" : "refused", done, total, rate * 60,
                                (total - done) / rate);
                    }
                }
            }
        }
        write(rows, out, start, gateCount, step, epochs, String.join(" ", args));
    }

    /** The initial model, trained on the initial tasks only (the gate tasks are in the bootstrap, never trained on). */
    private static void saveInitial(ConfigSpace space, MetaDataset bootstrap, List<String> initial,
                                    Map<String, ImageSet> images, int epochs, Path dir) throws IOException {
        List<MetaDataset.TaskRecord> train = bootstrap.tasks().stream().filter(t -> initial.contains(t.id())).toList();
        MetaLearner.Settings d = MetaLearner.Settings.defaults(dir);
        try (HyperStarModel m = MetaLearner.train(space, train.stream().map(t -> io.hyperstar.model.MetaTrainer
                .TrainingTask.of(t, images.get(t.id()))).toList(), d.train().withEpochs(epochs))) {
            MetaLearner.save(m, "initial", d.train().variant().label() + TaskMemory.LABEL, train, null, dir);
        }
    }

    /** The full-budget results a platform would send for a dataset. */
    static List<MetaDatasetRecord> results(String stream, MetaDataset.TaskRecord task, int r, ReplayRunner curves,
                                           ConfigSpace space, Path data) {
        TreeSet<Integer> configs = new TreeSet<>();
        if (stream.contains("Hyperband")) {
            // Searches with seeds 1..n: each draws other configurations; a configuration trained to R twice has one
            // record (the topic is compacted by dataset and configuration).
            for (int seed = 1; seed <= (stream.startsWith("three") ? 3 : 1); seed++) {
                TuningSpec spec = new TuningSpec(Strategy.HYPERBAND, r, 3, 0, seed, 0, 0);
                Experiment e = ExperimentMachine.create("replay", task.id(), spec, space.size(), 0);
                for (TrialOrder o : Simulator.run(e, (c, ep) -> curves.top1(task.id(), c, ep)).orders()) {
                    if (o.epochs() == r) {
                        configs.add(o.configId());
                    }
                }
            }
        } else {
            for (int c = 0; c < space.size(); c++) {
                configs.add(c);
            }
        }
        String uri = data.resolve("tasks").resolve(task.id()).toAbsolutePath().toString();
        return configs.stream().map(c -> MetaLearner.imported(task.id(), uri, c, task.valAtR()[c], r, space)).toList();
    }

    private static List<Row> read(Path csv) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(csv);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            rows.add(new Row(Integer.parseInt(f[0]), f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    Integer.parseInt(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]),
                    Boolean.parseBoolean(f[7]), Double.parseDouble(f[8]), Double.parseDouble(f[9]),
                    Double.parseDouble(f[10])));
        }
        return rows;
    }

    private static void write(List<Row> rows, Path out, int start, int gate, int step, int epochs, String args)
            throws IOException {
        StringBuilder csv = new StringBuilder("order,stream,step,training_tasks,records,candidate_ap10,in_use_ap10,"
                + "published,seconds,arriving_ap10,arriving_initial_ap10\n");
        for (Row r : rows) {
            csv.append(String.format(Locale.ROOT, "%d,%s,%d,%d,%d,%.4f,%.4f,%b,%.1f,%.4f,%.4f%n", r.order(),
                    r.stream(), r.step(), r.trainingTasks(), r.records(), r.candidateAp10(), r.inUseAp10(),
                    r.published(), r.seconds(), r.arrivingAp10(), r.arrivingInitialAp10()));
        }
        Files.writeString(out.resolve("results.csv"), csv);
        // Mean over orders per (stream, step); the initial model's AP@10 is step 1's "in use".
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        StringBuilder md = new StringBuilder("| stream | step | training tasks (mean) | records (mean) | candidate "
                + "gate AP@10 (mean over orders) | published | model in use after the step: gate AP@10 | the step's "
                + "arriving datasets, before it: AP@10 of the model in use / of the initial model |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        int steps = rows.stream().mapToInt(Row::step).max().orElse(0);
        List<double[]> initial = new ArrayList<>();
        initial.add(new double[] {start, rows.stream().filter(r -> r.step() == 1).mapToDouble(Row::inUseAp10)
                .average().orElse(Double.NaN)});
        md.append(String.format(Locale.ROOT, "| initial model | 0 | %d | %d | %.3f | | %.3f | |%n", start, start * 90,
                initial.get(0)[1], initial.get(0)[1]));
        for (String stream : rows.stream().map(Row::stream).distinct().toList()) {
            List<double[]> pts = new ArrayList<>(initial);
            for (int k = 1; k <= steps; k++) {
                int kk = k;
                List<Row> at = rows.stream().filter(r -> r.stream().equals(stream) && r.step() == kk).toList();
                double tasks = at.stream().mapToInt(Row::trainingTasks).average().orElse(Double.NaN);
                double ap = at.stream().mapToDouble(Row::candidateAp10).average().orElse(Double.NaN);
                pts.add(new double[] {tasks, ap});
                // The gate keeps the model in use when the candidate is worse on the gate tasks.
                double inUse = at.stream().mapToDouble(r -> r.published() ? r.candidateAp10() : r.inUseAp10())
                        .average().orElse(Double.NaN);
                md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.3f | %d of %d | %.3f | %.3f / %.3f |%n",
                        stream, k, tasks, at.stream().mapToInt(Row::records).average().orElse(Double.NaN), ap,
                        at.stream().filter(Row::published).count(), at.size(), inUse,
                        at.stream().mapToDouble(Row::arrivingAp10).average().orElse(Double.NaN),
                        at.stream().mapToDouble(Row::arrivingInitialAp10).average().orElse(Double.NaN)));
            }
            // Short enough for the plot's legend.
            series.put(stream.replace("one Hyperband search", "1 search").replace("three Hyperband searches",
                    "3 searches").replace("every configuration", "all 90 results"), pts);
        }
        Files.writeString(out.resolve("results.md"), "Written by `io.hyperstar.bench.MetaLearnerReplay " + args
                + "`: " + gate + " gate tasks, an initial model on " + start + " tasks, " + step
                + " new datasets per step, " + epochs + " passes per training.\n\n" + md);
        Figure5a.plot(series, "Meta-learner: held-out AP@10 on the gate tasks as datasets arrive", "training tasks",
                out.resolve("gate-ap10.png"));
    }
}
