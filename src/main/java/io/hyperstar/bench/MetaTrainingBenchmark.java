package io.hyperstar.bench;

import io.hyperstar.catalog.ImageSet;
import io.hyperstar.metalearn.MetaDataset;
import io.hyperstar.model.Architecture;
import io.hyperstar.model.HyperStarModel;
import io.hyperstar.model.MetaTrainer;
import io.hyperstar.model.TrainSettings;
import io.hyperstar.model.Variant;
import io.hyperstar.space.ConfigSpace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How meta-training time grows with the meta-dataset: seconds per epoch of Algorithm 1 (full variant, paper
 * defaults N_img = 64, B_img = 10, O_hyper = 10) on subsets of T tasks x C configurations of a meta-dataset.
 * Each size runs three times in the same process, so the costs compare side by side: the paper's Algorithm 1 with
 * the backbone's top conv block trained (end to end above the frozen stem), the same with the block frozen (its
 * features cached per image), and frozen with all B_img image batches of a task in one update.
 * <pre>java io.hyperstar.bench.MetaTrainingBenchmark --metadataset DIR[,DIR] --data data [--epochs 3]
 *     [--sizes 2x90,8x90,23x90,23x30] [--out load-tests/metatraining/results.md]</pre>
 */
public final class MetaTrainingBenchmark {

    private MetaTrainingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<Path> dirs = List.of(Path.of("src/main/resources/metadataset"));
        Path data = Path.of("data");
        Path out = Path.of("load-tests/metatraining/results.md");
        int epochs = 3;
        String sizes = "2x90,8x90,23x90,23x30";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--metadataset" -> dirs = Arrays.stream(args[++i].split(",")).map(Path::of).toList();
                case "--data" -> data = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--sizes" -> sizes = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ConfigSpace space = ConfigSpace.bundled();
        MetaDataset meta = Evaluation.merge(dirs, space);
        Map<String, ImageSet> images = meta.trainingImages(data);
        StringBuilder md = new StringBuilder("# Meta-training time against meta-dataset size\n\n");
        md.append(String.format(Locale.ROOT, "Run %s on %d cores, PyTorch threads %s; variant BM+Sim+GAN, N_img = 64, B_img = 10, "
                        + "O_hyper = 10, %d epochs per size (the first epoch included). Meta-dataset: %s (R = %d).%n%n",
                Instant.now().toString().substring(0, 16), Runtime.getRuntime().availableProcessors(),
                System.getProperty("ai.djl.pytorch.num_threads", "default"), epochs, dirs, meta.epochs()));
        md.append("Command: `src/data/java.sh io.hyperstar.bench.MetaTrainingBenchmark ")
                .append(String.join(" ", args)).append("`\n\n");
        md.append("| tasks | configurations | records | top conv | batches per step | steps per epoch | seconds per epoch | ms per step |\n|---:|---:|---:|---|---:|---:|---:|---:|\n");
        for (String size : sizes.split(",")) {
            int tasks = Integer.parseInt(size.split("x")[0]);
            int configs = Integer.parseInt(size.split("x")[1]);
            if (tasks > meta.tasks().size() || configs > space.size()) {
                System.err.println("skipping " + size + ": the meta-dataset has " + meta.tasks().size() + " tasks, the space " + space.size());
                continue;
            }
            List<MetaTrainer.TrainingTask> subset = new ArrayList<>();
            for (MetaDataset.TaskRecord t : meta.tasks().subList(0, tasks)) {
                // Only the first C configurations have results: the others are "not trained" for this size.
                double[] val = t.valAtR().clone();
                Arrays.fill(val, configs, val.length, Double.NaN);
                MetaDataset.TaskRecord cut = new MetaDataset.TaskRecord(t.id(), t.source(), t.classes(), t.train(), val);
                subset.add(MetaTrainer.TrainingTask.of(cut, images.get(t.id())));
            }
            TrainSettings paper = TrainSettings.defaults(Variant.BM_SIM_GAN, epochs, 1);
            for (TrainSettings ts : List.of(paper, paper.withTopConvTrained(false),
                    paper.withTopConvTrained(false).withSetsPerStep(paper.batchesPerTask()))) {
                try (HyperStarModel model = HyperStarModel.create(space, Architecture.DEFAULT)) {
                    MetaTrainer.TrainingResult r = new MetaTrainer(model, ts).train(subset);
                    double perEpoch = r.seconds() / epochs;
                    String row = String.format(Locale.ROOT, "| %d | %d | %d | %s | %d | %d | %.2f | %.1f |%n", tasks,
                            configs, tasks * configs, ts.trainTopConv() ? "trained" : "frozen, cached",
                            ts.setsPerStep(), r.steps() / epochs,
                            perEpoch, 1000 * r.seconds() / r.steps());
                    System.out.print(row);
                    md.append(row);
                }
            }
        }
        md.append("\nSteps per epoch grow with the number of tasks (B_img steps per task); a step's cost does not depend on the"
                + " number of configurations (O_hyper are sampled per step), except through L_sim, which compares a task's"
                + " embedding with every other task's.\n");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md.toString());
        System.out.println("wrote " + out);
    }
}
