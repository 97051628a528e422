package io.hyperstar.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperstar.catalog.ImageSet;
import io.hyperstar.catalog.TestTasks;
import io.hyperstar.space.ConfigSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and loading a model: same predictions after a round trip; corrupt or foreign artifacts are refused. */
class ModelArtifactTests {

    static final ConfigSpace SPACE = ConfigSpace.bundled();

    @TempDir
    Path dir;

    private static ModelArtifact.Metadata metadata() {
        return new ModelArtifact.Metadata(ModelArtifact.FORMAT, "test-1", SPACE.fingerprint(),
                new Architecture(32, 4, 64, 64), Variant.BM.label(), List.of("shapes-a"), 54, 0.5, null,
                "2026-11-27T00:00:00Z", null);
    }

    @Test
    void roundTripKeepsPredictionsAndChecksum() throws IOException {
        ImageSet images = TestTasks.shapes("shapes-art", 3, 6, 5).train();
        Ranker.Ranking before;
        ModelArtifact.Metadata saved;
        try (HyperStarModel model = HyperStarModel.create(SPACE, new Architecture(32, 4, 64, 64))) {
            // Change the weights away from their initial values so the test sees loaded, not re-initialised, ones.
            double[] z = new double[SPACE.size()];
            z[3] = 2;
            new MetaTrainer(model, new TrainSettings(Variant.BM_SIM_GAN, 1, 8, 2, 10, 2, 1f, 0.1f, 1e-2f, 1))
                    .train(List.of(new MetaTrainer.TrainingTask("a", images, z,
                            io.hyperstar.metalearn.Metrics.orderDescending(z))));
            before = Ranker.rank(model, images, 2, 8, 1);
            saved = ModelArtifact.save(model, metadata(), dir);
        }
        assertThat(saved.paramsSha256()).hasSize(64);
        assertThat(ModelArtifact.readMetadata(dir)).isEqualTo(saved);
        try (HyperStarModel loaded = ModelArtifact.load(dir, SPACE)) {
            assertThat(Ranker.rank(loaded, images, 2, 8, 1).scores()).containsExactly(before.scores());
            // Loaded for ranking: no parameter carries a gradient, so no thread builds an autograd graph.
            loaded.net().getParameters().forEach(p -> assertThat(p.getValue().getArray().hasGradient()).isFalse());
        }
    }

    @Test
    void corruptParametersAreRefused() throws IOException {
        try (HyperStarModel model = HyperStarModel.create(SPACE, new Architecture(32, 4, 64, 64))) {
            ModelArtifact.save(model, metadata(), dir);
        }
        byte[] params = Files.readAllBytes(dir.resolve(ModelArtifact.PARAMS));
        params[params.length / 2] ^= 1;
        Files.write(dir.resolve(ModelArtifact.PARAMS), params);
        assertThatThrownBy(() -> ModelArtifact.load(dir, SPACE)).isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt");
    }

    @Test
    void aModelOfAnotherSpaceIsRefused() throws IOException {
        try (HyperStarModel model = HyperStarModel.create(SPACE, new Architecture(32, 4, 64, 64))) {
            ModelArtifact.save(model, metadata(), dir);
        }
        ConfigSpace other = new ConfigSpace(List.of(new ConfigSpace.Dimension("learning_rate", List.of("0.1", "0.01"))));
        assertThatThrownBy(() -> ModelArtifact.load(dir, other)).isInstanceOf(IOException.class)
                .hasMessageContaining("configuration space");
    }

    @Test
    void theShippedBootstrapModelLoadsAndRanksDivergingConfigurationsLast() throws IOException {
        Path shipped = Path.of("src/main/resources/model");
        ModelArtifact.Metadata meta = ModelArtifact.readMetadata(shipped);
        assertThat(meta.spaceFingerprint()).isEqualTo(SPACE.fingerprint());
        assertThat(meta.validationAp10()).isNotNull();
        // The demo's task is held out, so the demo ranks a task the model never saw.
        assertThat(meta.tasks()).hasSize(35).doesNotContain("fashion-tops-4");
        ImageSet unseen = TestTasks.shapes("shapes-unseen", 4, 20, 11).train();
        try (HyperStarModel model = ModelArtifact.load(shipped, SPACE)) {
            // It ranks with the neighbour readout over exactly the tasks it was trained on.
            assertThat(meta.variant()).isEqualTo("BM+Sim+neighbours");
            assertThat(model.memory()).isPresent();
            assertThat(model.memory().get().tasks()).containsExactlyElementsOf(meta.tasks());
            int[] order = Ranker.rank(model, unseen, 4, 32, 1).order();
            // Adam at learning rate 0.05 fine-tuning 2 or 4 layers diverged on most tasks of the meta-dataset.
            List<Integer> top10 = java.util.Arrays.stream(order).limit(10).boxed().toList();
            for (int c = 0; c < SPACE.size(); c++) {
                ConfigSpace.Config cfg = SPACE.config(c);
                if (cfg.get("learning_rate").equals("0.05") && cfg.get("optimizer").equals("adam")
                        && !cfg.get("finetune_layers").equals("1")) {
                    assertThat(top10).as("diverging configuration %s in the top 10", c).doesNotContain(c);
                }
            }
        }
    }
}
