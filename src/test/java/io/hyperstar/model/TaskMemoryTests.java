package io.hyperstar.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.hyperstar.catalog.ImageSet;
import io.hyperstar.catalog.TestTasks;
import io.hyperstar.metalearn.Metrics;
import io.hyperstar.space.ConfigSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The neighbour readout: which training tasks a new task's ranking comes from, and how it travels with a model. */
class TaskMemoryTests {

    static final ConfigSpace SPACE = ConfigSpace.bundled();

    @TempDir
    Path dir;

    private static final double[][] Z = {{2, 1, 0, -1}, {-1, 0, 1, 2}, {0, 2, -1, 1}};

    private static TaskMemory memory(double temperature) {
        float[][] e = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        return new TaskMemory(List.of("a", "b", "c"), e, Z, temperature);
    }

    @Test
    void aTaskNextToOneTrainingTaskGetsThatTasksRanking() {
        // Closest to "b" (cosine 0.99 vs 0.14 and 0): at a low temperature b's ranking, best configuration 3 first.
        float[] scores = memory(0.05).scores(new float[] {0.1f, 0.7f, 0f});
        assertThat(Metrics.orderDescending(scores)).containsExactly(3, 2, 1, 0);
        assertThat(memory(0.05).weights(new float[] {0.1f, 0.7f, 0f})[1]).isGreaterThan(0.99);
        // What the ranking event names: b first, then a (cosine 0.14), then c (0).
        assertThat(memory(0.05).nearest(new float[] {0.1f, 0.7f, 0f}, 2)).extracting(TaskMemory.Neighbour::task)
                .containsExactly("b", "a");
    }

    @Test
    void aHighTemperatureGivesTheTaskAgnosticMean() {
        float[] scores = memory(1e6).scores(new float[] {0.1f, 0.7f, 0f});
        for (int c = 0; c < 4; c++) {
            assertThat(scores[c]).isCloseTo((float) ((Z[0][c] + Z[1][c] + Z[2][c]) / 3), within(1e-4f));
        }
    }

    @Test
    void aConfigurationWithoutResultIsAveragedOverTheTasksThatHaveOne() {
        double[][] z = {{Double.NaN, 1}, {3, 1}};
        TaskMemory m = new TaskMemory(List.of("a", "b"), new float[][] {{1, 0}, {0, 1}}, z, 1e6);
        assertThat(m.scores(new float[] {1, 0})[0]).isEqualTo(3f);
    }

    @Test
    void badMemoriesAreRefused() {
        assertThatThrownBy(() -> new TaskMemory(List.of("a"), new float[0][], new double[0][], 0.1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> memory(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> memory(0.1).scores(new float[] {1, 0})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embedding of size 2");
    }

    private static MetaTrainer.TrainingTask task(String id, ImageSet images, int best) {
        double[] z = new double[SPACE.size()];
        for (int c = 0; c < z.length; c++) {
            z[c] = c == best ? 3 : -((c * 7) % 5) / 5.0;
        }
        return new MetaTrainer.TrainingTask(id, images, z, Metrics.orderDescending(z));
    }

    @Test
    void aNeighbourReadoutModelRanksByItsMemoryAndKeepsItThroughSaveAndLoad() throws IOException {
        ImageSet a = TestTasks.shapes("mem-a", 3, 6, 5).train();
        ImageSet b = TestTasks.shapes("mem-b", 5, 6, 9).train();
        List<MetaTrainer.TrainingTask> tasks = List.of(task("a", a, 17), task("b", b, 42));
        Ranker.Ranking before;
        try (HyperStarModel model = HyperStarModel.create(SPACE, new Architecture(32, 4, 64, 64))) {
            new MetaTrainer(model, new TrainSettings(Variant.BM_SIM, 2, 8, 2, 10, 2, 1f, 0.1f, 1e-2f, 1))
                    .train(tasks);
            TaskMemory memory = TaskMemory.build(model, tasks.stream()
                    .map(t -> new TaskMemory.Entry(t.id(), t.images(), t.zTargets())).toList(), 2, 8, 1, 0.1);
            model.useMemory(memory);
            before = Ranker.rank(model, a, 2, 8, 1);
            // The ranking is the memory's mix for the task's embedding, so its best is one of the tasks' bests.
            assertThat(before.scores()).containsExactly(memory.scores(before.embedding()));
            assertThat(before.order()[0]).isIn(17, 42);
            ModelArtifact.Metadata saved = ModelArtifact.save(model, new ModelArtifact.Metadata(ModelArtifact.FORMAT,
                    "mem-1", SPACE.fingerprint(), new Architecture(32, 4, 64, 64), "BM+Sim+neighbours",
                    List.of("a", "b"), 2 * SPACE.size(), null, null, "2026-11-27T00:00:00Z", null), dir);
            assertThat(saved.memorySha256()).hasSize(64);
        }
        try (HyperStarModel loaded = ModelArtifact.load(dir, SPACE)) {
            assertThat(loaded.memory()).isPresent();
            assertThat(loaded.memory().get().tasks()).containsExactly("a", "b");
            assertThat(Ranker.rank(loaded, a, 2, 8, 1).scores()).containsExactly(before.scores());
        }
        byte[] json = Files.readAllBytes(dir.resolve(ModelArtifact.MEMORY));
        json[json.length / 2] ^= 1;
        Files.write(dir.resolve(ModelArtifact.MEMORY), json);
        assertThatThrownBy(() -> ModelArtifact.load(dir, SPACE)).isInstanceOf(IOException.class)
                .hasMessageContaining("memory.json is corrupt");
    }

    @Test
    void aMemoryOfAnotherSpaceIsRefused() {
        try (HyperStarModel model = HyperStarModel.create(SPACE, new Architecture(32, 4, 64, 64))) {
            assertThatThrownBy(() -> model.useMemory(memory(0.1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("configurations");
        }
    }
}
