package io.hyperstar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperstar.catalog.ImageSet;
import io.hyperstar.catalog.TestTasks;
import io.hyperstar.metalearn.MetaDataset;
import io.hyperstar.model.Architecture;
import io.hyperstar.model.TrainSettings;
import io.hyperstar.model.Variant;
import io.hyperstar.space.ConfigSpace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leave-one-task-out harness end to end on three small tasks: every method, every task, the three files, and a
 * rerun that resumes instead of scoring again.
 */
class EvaluationTests {

    @TempDir
    Path out;

    @Test
    void writesOneRowPerMethodAndTaskAndTheTables() throws IOException {
        ConfigSpace space = ConfigSpace.bundled();
        List<MetaDataset.TaskRecord> tasks = new ArrayList<>();
        Map<String, ImageSet> images = new LinkedHashMap<>();
        threeTasks(space, tasks, images);
        List<String> methods = List.of("random", "task-agnostic", "meta-features+rf", "nearest-task", "BM");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<Evaluation.Row> rows = new Evaluation(space, new PrintStream(log, true, StandardCharsets.UTF_8)).run(
                new MetaDataset(2, tasks), images, methods, 1,
                TrainSettings.defaults(Variant.BM, 1, 0).withBatches(8, 2), out, "test");
        assertThat(rows).hasSize(3 * methods.size());
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.ap10()).isBetween(0.0, 1.0);
            assertThat(r.configsToBest()).isBetween(1, space.size());
        });
        double agnostic = rows.stream().filter(r -> r.method().equals("task-agnostic")).mapToDouble(
                Evaluation.Row::ap10).average().orElseThrow();
        double random = rows.stream().filter(r -> r.method().equals("random")).mapToDouble(Evaluation.Row::ap10)
                .average().orElseThrow();
        assertThat(agnostic).isGreaterThan(random);
        List<String> csv = Files.readAllLines(out.resolve("ap10.csv"));
        assertThat(csv.get(0)).isEqualTo("method,task,seed,ap10,configs_to_best");
        assertThat(csv).hasSize(1 + rows.size());
        assertThat(Files.readString(out.resolve("ap10.md"))).contains("| meta-features+rf |", "| BM |", "shapes-2",
                " ± ", "relative (target +25%", "BM against task-agnostic, relative gain in mean AP@10 with the 3 tasks "
                        + "resampled");
        assertThat(Files.readAllLines(out.resolve("fig5a.csv"))).hasSize(1 + methods.size() * space.size());

        // A second run over the same folder resumes: nothing is scored again and the report is the same.
        String table = Files.readString(out.resolve("ap10.csv"));
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        List<Evaluation.Row> resumed = new Evaluation(space, new PrintStream(again, true, StandardCharsets.UTF_8))
                .run(new MetaDataset(2, tasks), images, methods, 1,
                        TrainSettings.defaults(Variant.BM, 1, 0).withBatches(8, 2), out, "test");
        assertThat(again.toString(StandardCharsets.UTF_8)).doesNotContain("AP@10");
        assertThat(resumed).hasSize(rows.size());
        assertThat(Files.readString(out.resolve("ap10.csv"))).isEqualTo(table);
    }

    @Test
    void theNeighbourReadoutAndTheSimilarityReferenceRankFromTheTrainingTasks() throws IOException {
        ConfigSpace space = ConfigSpace.bundled();
        // Twins a and b rank alike; c ranks the other way round.
        double[] up = new double[space.size()];
        double[] down = new double[space.size()];
        for (int c = 0; c < up.length; c++) {
            up[c] = 0.2 + 0.7 * c / up.length;
            down[c] = 0.9 - 0.7 * c / up.length;
        }
        List<MetaDataset.TaskRecord> tasks = List.of(new MetaDataset.TaskRecord("a", "shapes", 3, 18, up),
                new MetaDataset.TaskRecord("b", "shapes", 4, 24, up.clone()),
                new MetaDataset.TaskRecord("c", "shapes", 5, 30, down));
        Map<String, ImageSet> images = new LinkedHashMap<>();
        for (int k = 0; k < 3; k++) {
            images.put(tasks.get(k).id(), TestTasks.shapes(tasks.get(k).id(), 3 + k, 6, k).train());
        }
        List<String> methods = List.of("BM+Sim+neighbours", "global-mean+neighbours", "oracle-similarity");
        List<Evaluation.Row> rows = quiet(space).run(new MetaDataset(2, tasks), images, methods, 1,
                TrainSettings.defaults(Variant.BM, 1, 0).withBatches(8, 2), out, "test");
        assertThat(rows).hasSize(9);
        // Knowing which task ranks alike, a twin's ranking comes out (c's weight is e^-5 of b's).
        Evaluation.Row twin = rows.stream().filter(r -> r.method().equals("oracle-similarity") && r.task().equals("a"))
                .findFirst().orElseThrow();
        assertThat(twin.ap10()).isEqualTo(1.0);
        assertThat(twin.configsToBest()).isEqualTo(1);
        // For c a readout can only mix a's and b's rankings, which are the same: whatever the weights (learned
        // embedding or frozen features), c gets exactly that ranking, so its top 10 are the ten highest ids.
        for (String readout : List.of("BM+Sim+neighbours", "global-mean+neighbours")) {
            Evaluation.Row c = rows.stream().filter(r -> r.method().equals(readout) && r.task().equals("c"))
                    .findFirst().orElseThrow();
            assertThat(java.util.Arrays.stream(c.order()).limit(10).boxed().toList()).as(readout)
                    .containsExactlyElementsOf(java.util.stream.IntStream.iterate(space.size() - 1, i -> i - 1)
                            .limit(10).boxed().toList());
        }
        assertThat(Files.readString(out.resolve("ap10.md"))).contains("| BM+Sim+neighbours |",
                "oracle-similarity (hindsight reference, not a method)",
                "global-mean+neighbours (ablation: our readout, frozen features)");
        // The embeddings each neighbour readout scored are kept: per held-out task, its own, then its memory's two.
        List<String> embedded = Files.readAllLines(out.resolve("embeddings").resolve("shard-0-of-1.csv"));
        assertThat(embedded.get(0)).isEqualTo("method,task,seed,embedded,vector");
        assertThat(embedded.subList(1, embedded.size())).hasSize(9).allSatisfy(l -> assertThat(l)
                .startsWith("BM+Sim+neighbours,"));
        assertThat(embedded.get(1)).startsWith("BM+Sim+neighbours,a,1,a,");
        assertThat(embedded.get(2)).startsWith("BM+Sim+neighbours,a,1,b,");
        assertThat(embedded.get(1).split(",")[4].split(" ")).hasSize(Architecture.DEFAULT.embedding());
        assertThat(Files.readAllLines(out.resolve("embeddings").resolve("global-means.csv"))).hasSize(4);
    }

    @Test
    void theRemeasuredReferenceRanksATasksOwnModelsByTheirTestAccuracy() throws IOException {
        ConfigSpace space = ConfigSpace.bundled();
        int h = space.size();
        double[] val = new double[h];
        for (int c = 0; c < h; c++) {
            val[c] = 0.2 + 0.7 * c / h;
        }
        // Measured again on the test images, the two best swap places: the same top 10, the best found second.
        double[] test = val.clone();
        test[h - 2] = val[h - 1];
        test[h - 1] = val[h - 2];
        List<MetaDataset.TaskRecord> tasks = List.of(new MetaDataset.TaskRecord("a", "shapes", 3, 18, val, test),
                new MetaDataset.TaskRecord("b", "shapes", 3, 18, val, val.clone()));
        List<Evaluation.Row> rows = quiet(space).run(new MetaDataset(2, tasks), Map.of(), List.of("remeasured"), 1,
                TrainSettings.defaults(Variant.BM, 1, 0), out, "test");
        Evaluation.Row a = rows.stream().filter(r -> r.task().equals("a")).findFirst().orElseThrow();
        assertThat(a.ap10()).isEqualTo(1.0);
        assertThat(a.configsToBest()).isEqualTo(2);
        assertThat(a.order()[0]).isEqualTo(h - 2);
        assertThat(Files.readString(out.resolve("ap10.md"))).contains("remeasured (hindsight reference, not a method)");
        // The replicate reference ranks a task by its second training run; a task without one is not scored.
        double[] again = val.clone();
        again[0] = 1.0;
        Evaluation withReplicate = quiet(space);
        withReplicate.replicateRuns(new MetaDataset(2, List.of(new MetaDataset.TaskRecord("a", "shapes", 3, 18,
                again))));
        List<Evaluation.Row> replicated = withReplicate.run(new MetaDataset(2, tasks), Map.of(),
                List.of("replicate"), 1, TrainSettings.defaults(Variant.BM, 1, 0), out.resolve("replicate"), "test");
        assertThat(replicated).hasSize(1);
        assertThat(replicated.get(0).task()).isEqualTo("a");
        // Its second run puts configuration 0 first: nine of the true top 10 follow it, and the best is second.
        assertThat(replicated.get(0).order()[0]).isEqualTo(0);
        assertThat(replicated.get(0).configsToBest()).isEqualTo(2);
        // AP@10: hits at positions 2..10, the i-th with precision (i - 1) / i.
        assertThat(replicated.get(0).ap10()).isCloseTo((1.0 / 2 + 2.0 / 3 + 3.0 / 4 + 4.0 / 5 + 5.0 / 6 + 6.0 / 7
                + 7.0 / 8 + 8.0 / 9 + 9.0 / 10) / 10, org.assertj.core.data.Offset.offset(1e-4)); // runs keep 4 digits
        // A row without test-split accuracies cannot be remeasured: it says which task.
        List<MetaDataset.TaskRecord> bare = List.of(new MetaDataset.TaskRecord("c", "shapes", 3, 18, val),
                new MetaDataset.TaskRecord("d", "shapes", 3, 18, val));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> quiet(space).run(new MetaDataset(2, bare), Map.of(),
                List.of("remeasured"), 1, TrainSettings.defaults(Variant.BM, 1, 0), out.resolve("bare"), "test"))
                .hasMessageContaining("c has no test-split accuracy");
    }

    @Test
    void withPooledTrainingTargetsMethodsLearnFromThemAndTheHeldOutTaskIsScoredOnValidation() throws IOException {
        ConfigSpace space = ConfigSpace.bundled();
        int h = space.size();
        double[] up = new double[h];
        double[] down = new double[h];
        for (int c = 0; c < h; c++) {
            up[c] = 0.2 + 0.7 * c / h;
            down[c] = 0.9 - 0.7 * c / h;
        }
        // Both tasks rank up on validation; pooled over more measurements, b ranks the other way round.
        MetaDataset meta = new MetaDataset(2, List.of(new MetaDataset.TaskRecord("a", "shapes", 3, 18, up),
                new MetaDataset.TaskRecord("b", "shapes", 3, 18, up.clone())));
        MetaDataset pooled = new MetaDataset(2, List.of(new MetaDataset.TaskRecord("a", "shapes", 3, 18, up),
                new MetaDataset.TaskRecord("b", "shapes", 3, 18, down)));
        Evaluation plain = quiet(space);
        Evaluation onPooled = quiet(space);
        onPooled.trainOnPooled(pooled, meta);
        TrainSettings ts = TrainSettings.defaults(Variant.BM, 1, 0);
        Evaluation.Row a = plain.run(meta, Map.of(), List.of("task-agnostic"), 1, ts, out.resolve("plain"), "test")
                .stream().filter(r -> r.task().equals("a")).findFirst().orElseThrow();
        Evaluation.Row aPooled = onPooled.run(meta, Map.of(), List.of("task-agnostic"), 1, ts, out.resolve("pooled"),
                "test").stream().filter(r -> r.task().equals("a")).findFirst().orElseThrow();
        // Learning from b's validation ranking gets a's exactly; from b's pooled one, the reverse: AP@10 0, and the
        // best (scored on a's validation accuracy) comes last.
        assertThat(a.ap10()).isEqualTo(1.0);
        assertThat(aPooled.ap10()).isEqualTo(0.0);
        assertThat(aPooled.configsToBest()).isEqualTo(h);
        // Every task needs pooled accuracies.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plain.trainOnPooled(new MetaDataset(2,
                List.of(pooled.tasks().get(0))), meta)).hasMessageContaining("b has no pooled accuracies");
    }

    @Test
    void withATruthAveragedOverTrainingRunsMethodsAreScoredAgainstTheMean() throws IOException {
        ConfigSpace space = ConfigSpace.bundled();
        int h = space.size();
        double[] up = new double[h];
        for (int c = 0; c < h; c++) {
            up[c] = 0.2 + 0.7 * c / h;
        }
        double[] test = up.clone();
        // In the second run configuration 0 of task a did far better: on the mean of the two runs it is a's best.
        double[] again = up.clone();
        again[0] = 2.0;
        MetaDataset first = new MetaDataset(2, List.of(new MetaDataset.TaskRecord("a", "shapes", 3, 18, up, test),
                new MetaDataset.TaskRecord("b", "shapes", 3, 18, up.clone(), test),
                new MetaDataset.TaskRecord("c", "shapes", 3, 18, up.clone(), test)));
        MetaDataset second = new MetaDataset(2, List.of(new MetaDataset.TaskRecord("a", "shapes", 3, 18, again),
                new MetaDataset.TaskRecord("b", "shapes", 3, 18, up.clone())));
        MetaDataset truth = Evaluation.meanOfRuns(first, List.of(second));
        // Only the tasks every run holds; the mean per configuration; no test-split accuracy of its own.
        assertThat(truth.tasks()).extracting(MetaDataset.TaskRecord::id).containsExactly("a", "b");
        assertThat(truth.task("a").valAtR()[0]).isCloseTo(1.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(truth.task("a").valAtR()[h - 1]).isEqualTo(up[h - 1]);
        assertThat(truth.task("a").testAtR()).containsOnly(Double.NaN);
        TrainSettings ts = TrainSettings.defaults(Variant.BM, 1, 0);
        Evaluation.Row oneRun = quiet(space).run(first, Map.of(), List.of("task-agnostic"), 1, ts, out.resolve("one"),
                "test").stream().filter(r -> r.task().equals("a")).findFirst().orElseThrow();
        Evaluation.Row mean = quiet(space).run(truth, Map.of(), List.of("task-agnostic"), 1, ts, out.resolve("mean"),
                "test").stream().filter(r -> r.task().equals("a")).findFirst().orElseThrow();
        // b ranks configuration 0 last: against the first run alone a's best comes first; against the mean, last.
        assertThat(oneRun.configsToBest()).isEqualTo(1);
        assertThat(mean.configsToBest()).isEqualTo(h);
        assertThat(mean.ap10()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void aVariantsTwoReadoutsComeFromOneTrainedModelWithTheSameRowsAsAlone() throws IOException {
        ConfigSpace space = ConfigSpace.bundled();
        List<MetaDataset.TaskRecord> tasks = new ArrayList<>();
        Map<String, ImageSet> images = new LinkedHashMap<>();
        threeTasks(space, tasks, images);
        TrainSettings ts = TrainSettings.defaults(Variant.BM, 2, 0).withBatches(8, 2);
        ByteArrayOutputStream bothLog = new ByteArrayOutputStream();
        List<Evaluation.Row> both = new Evaluation(space, new PrintStream(bothLog, true, StandardCharsets.UTF_8))
                .run(new MetaDataset(2, tasks), images, List.of("BM+Sim", "BM+Sim+neighbours"), 1, ts,
                        out.resolve("both"), "test");
        List<Evaluation.Row> alone = quiet(space).run(new MetaDataset(2, tasks), images,
                List.of("BM+Sim+neighbours"), 1, ts, out.resolve("alone"), "test");
        // One training per fold, not two: the log has one loss line per fold.
        assertThat(bothLog.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("BM+Sim: ")))
                .hasSize(3);
        for (Evaluation.Row a : alone) {
            Evaluation.Row b = both.stream().filter(r -> r.key().equals(a.key())).findFirst().orElseThrow();
            assertThat(b.order()).as(a.key()).containsExactly(a.order());
        }
        // The two readouts of one model are different rankings.
        assertThat(orders(both, "BM+Sim")).isNotEqualTo(orders(both, "BM+Sim+neighbours"));
    }

    @Test
    void anEarlierSuiteIsReproducedFromItsTaskListInTheMetaDatasetsOrder() {
        double[] acc = new double[ConfigSpace.bundled().size()];
        MetaDataset meta = new MetaDataset(2, List.of(new MetaDataset.TaskRecord("a", "shapes", 3, 18, acc),
                new MetaDataset.TaskRecord("b", "shapes", 3, 18, acc), new MetaDataset.TaskRecord("c", "shapes", 3, 18,
                        acc)));
        assertThat(Evaluation.only(meta, List.of("c", "a")).tasks()).extracting(MetaDataset.TaskRecord::id)
                .containsExactly("a", "c");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Evaluation.only(meta, List.of("a", "zz")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[zz]");
    }

    /** An evaluation whose progress log is discarded. */
    private static Evaluation quiet(ConfigSpace space) {
        return new Evaluation(space, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    /** Three small shapes tasks whose accuracies share a trend plus task noise (task-agnostic has something to find). */
    private static void threeTasks(ConfigSpace space, List<MetaDataset.TaskRecord> tasks, Map<String, ImageSet> images)
            throws IOException {
        Random rnd = new Random(3);
        for (int k = 0; k < 3; k++) {
            String id = "shapes-" + k;
            double[] acc = new double[space.size()];
            for (int c = 0; c < acc.length; c++) {
                acc[c] = 0.5 + 0.3 * Math.sin(c) + 0.05 * rnd.nextGaussian();
            }
            tasks.add(new MetaDataset.TaskRecord(id, "shapes", 3 + k, 18 + 6 * k, acc));
            images.put(id, TestTasks.shapes(id, 3 + k, 6, k).train());
        }
    }

    private static List<List<Integer>> orders(List<Evaluation.Row> rows, String method) {
        return rows.stream().filter(r -> r.method().equals(method))
                .map(r -> java.util.Arrays.stream(r.order()).boxed().toList()).toList();
    }

    @Test
    void withFewerTrainingTasksEachFoldLearnsFromADrawOfThem() throws IOException {
        ConfigSpace space = ConfigSpace.bundled();
        List<MetaDataset.TaskRecord> tasks = new ArrayList<>();
        Map<String, ImageSet> images = new LinkedHashMap<>();
        Random rnd = new Random(5);
        for (int k = 0; k < 4; k++) {
            double[] acc = new double[space.size()];
            for (int c = 0; c < acc.length; c++) {
                acc[c] = rnd.nextDouble();
            }
            tasks.add(new MetaDataset.TaskRecord("t" + k, "shapes", 3, 18, acc));
        }
        List<Evaluation.Row> rows = new Evaluation(space, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), 1).run(new MetaDataset(2, tasks), images, List.of("task-agnostic"), 3,
                TrainSettings.defaults(Variant.BM, 1, 0), out, "test");
        assertThat(rows).hasSize(12);
        // With one training task, task-agnostic is exactly that task's ranking: one of the other three, never the
        // held-out task's own, and the draw changes with the seed.
        for (Evaluation.Row r : rows) {
            List<int[]> others = tasks.stream().filter(t -> !t.id().equals(r.task()))
                    .map(MetaDataset.TaskRecord::trueRanking).toList();
            assertThat(others).anySatisfy(o -> assertThat(r.order()).containsExactly(o));
        }
        assertThat(tasks).anySatisfy(t -> assertThat(rows.stream().filter(r -> r.task().equals(t.id()))
                .map(r -> java.util.Arrays.toString(r.order())).distinct().count()).isGreaterThan(1));
    }
}
