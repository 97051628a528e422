package io.hyperstar.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperstar.bench.MetaDatasetBuilder;
import io.hyperstar.catalog.TaskData;
import io.hyperstar.catalog.TestTasks;
import io.hyperstar.metalearn.MetaDataset;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny end-to-end meta-learning run: the meta-dataset builder's tiny preset trains real curves on two
 * materialised shape tasks, and the meta-trainer learns to predict them from the tasks' images.
 */
class MetaTrainerTests {

    static final ConfigSpace SPACE = ConfigSpace.bundled();

    @TempDir
    static Path dir;

    static MetaDataset meta;
    static List<MetaTrainer.TrainingTask> tasks = new ArrayList<>();

    @BeforeAll
    static void buildTinyMetaDataset() throws IOException {
        Path data = dir.resolve("data");
        TestTasks.materialise(data, "shapes-a", 3, TaskData.Format.IDX, 1);
        TestTasks.materialise(data, "shapes-b", 4, TaskData.Format.FOLDER, 2);
        // The builder's tiny preset (its parse() is package-private): configurations 0, H/2 and H-1, 2 epochs.
        int h = SPACE.size();
        MetaDatasetBuilder.Options o = new MetaDatasetBuilder.Options(data, dir.resolve("meta"), 2,
                List.of("shapes-a", "shapes-b"), List.of(0, h / 2, h - 1), 0, Integer.MAX_VALUE, Trainer.DEFAULT_SEED);
        new MetaDatasetBuilder(SPACE, new Trainer(), new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)).build(o);
        meta = MetaDataset.load(dir.resolve("meta"), SPACE);
        for (MetaDataset.TaskRecord r : meta.tasks()) {
            tasks.add(MetaTrainer.TrainingTask.of(r, TaskData.load(data.resolve("tasks").resolve(r.id())).train()));
        }
    }

    @Test
    void metaDatasetHasTheTinyPresetsCurves() throws IOException {
        assertThat(meta.epochs()).isEqualTo(2);
        assertThat(meta.tasks()).extracting(MetaDataset.TaskRecord::id).containsExactly("shapes-a", "shapes-b");
        assertThat(meta.records()).isEqualTo(6);
        assertThat(meta.task("shapes-a").classes()).isEqualTo(3);
        // Both splits' accuracies at R come from the curves, the test split's for the remeasured reference.
        String last = Files.readAllLines(dir.resolve("meta").resolve("curves.csv")).stream()
                .filter(l -> l.startsWith("shapes-a,0,2,")).findFirst().orElseThrow();
        String[] f = last.split(",");
        assertThat(meta.task("shapes-a").valAtR()[0]).isEqualTo(Double.parseDouble(f[3]));
        assertThat(meta.task("shapes-a").testAtR()[0]).isEqualTo(Double.parseDouble(f[4]));
        assertThat(meta.task("shapes-a").testAtR()[1]).isNaN();
    }

    @Test
    void pooledAccuraciesAverageBothSplitsOverTheLastEpochs() throws IOException {
        MetaDataset pooled = MetaDataset.load(dir.resolve("meta"), SPACE, 2);
        String[] task = Files.readAllLines(dir.resolve("meta").resolve("tasks.csv")).stream()
                .filter(l -> l.startsWith("shapes-a,")).findFirst().orElseThrow().split(",");
        double nv = Double.parseDouble(task[4]);
        double nt = Double.parseDouble(task[5]);
        double expected = Files.readAllLines(dir.resolve("meta").resolve("curves.csv")).stream()
                .filter(l -> l.startsWith("shapes-a,0,")).map(l -> l.split(","))
                .mapToDouble(f -> (Double.parseDouble(f[3]) * nv + Double.parseDouble(f[4]) * nt) / (nv + nt))
                .average().orElseThrow();
        assertThat(pooled.task("shapes-a").valAtR()[0]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(pooled.task("shapes-a").valAtR()[1]).isNaN();
        assertThat(pooled.records()).isEqualTo(meta.records());
        // Pooling over more epochs than R has leaves every configuration without a pooled value.
        assertThat(MetaDataset.load(dir.resolve("meta"), SPACE, 3).records()).isZero();
    }

    @Test
    void trainingLowersThePerformanceLoss() {
        TrainSettings s = new TrainSettings(Variant.BM, 25, 16, 4, 10, 3, 1f, 0.1f, 3e-3f, 5);
        try (HyperStarModel model = HyperStarModel.create(SPACE, new Architecture(32, 4, 64, 64))) {
            MetaTrainer.TrainingResult r = new MetaTrainer(model, s).train(tasks);
            assertThat(r.epochs()).hasSize(25);
            assertThat(r.steps()).isEqualTo(25 * 2 * 4);
            double first = r.epochs().get(0).perf();
            double last = (r.epochs().get(23).perf() + r.epochs().get(24).perf()) / 2;
            assertThat(last).as("L_perf first epoch %s, last %s", first, last).isLessThan(first * 0.5);
        }
    }

    @Test
    void everyVariantTrainsItsTerms() {
        for (Variant v : Variant.values()) {
            TrainSettings s = new TrainSettings(v, 3, 16, 3, 10, 3, 1f, 0.1f, 1e-3f, 5);
            try (HyperStarModel model = HyperStarModel.create(SPACE, new Architecture(32, 4, 64, 64))) {
                MetaTrainer.EpochLoss last = new MetaTrainer(model, s).train(tasks).epochs().get(2);
                assertThat(last.perf()).as(v.label()).isFinite().isPositive();
                assertThat(last.sim() > 0).as(v.label() + " sim").isEqualTo(v.similarity());
                assertThat(last.adv() > 0).as(v.label() + " adv").isEqualTo(v.adversarial());
                assertThat(last.disc() > 0).as(v.label() + " disc").isEqualTo(v.adversarial());
            }
        }
    }

    @Test
    void aFrozenTopConvStaysAsPretrainedAndBatchedStepsStillLearn() {
        // The evaluation's cheap setting: top conv block frozen (features cached), all 4 image batches in one step.
        TrainSettings s = new TrainSettings(Variant.BM_SIM_GAN, 40, 16, 4, 10, 3, 1f, 0.1f, 3e-3f, 5)
                .withTopConvTrained(false).withSetsPerStep(4);
        try (HyperStarModel model = HyperStarModel.create(SPACE, new Architecture(32, 4, 64, 64))) {
            float[] before = topConvWeights(model);
            MetaTrainer.TrainingResult r = new MetaTrainer(model, s).train(tasks);
            assertThat(r.steps()).isEqualTo(40 * 2);
            assertThat(topConvWeights(model)).containsExactly(before);
            double first = r.epochs().get(0).perf();
            double last = (r.epochs().get(38).perf() + r.epochs().get(39).perf()) / 2;
            assertThat(last).as("L_perf first epoch %s, last %s", first, last).isLessThan(first * 0.5);
            assertThat(r.epochs().get(39).sim()).isPositive();
            assertThat(r.epochs().get(39).disc()).isPositive();
        }
    }

    private static float[] topConvWeights(HyperStarModel model) {
        return model.net().topConv().getParameters().valueAt(0).getArray().toFloatArray();
    }
}
