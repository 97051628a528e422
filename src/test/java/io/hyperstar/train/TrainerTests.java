package io.hyperstar.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperstar.catalog.TaskData;
import io.hyperstar.catalog.TestTasks;
import io.hyperstar.space.ConfigSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fine-tuning trials: resumed runs follow the uninterrupted curve exactly, and misuse fails clearly. */
class TrainerTests {

    static Trainer trainer;
    static TaskData task;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        trainer = new Trainer();
        task = TestTasks.shapes("tiny-shapes", 4, 10, 5);
    }

    @Test
    void resumedTrialFollowsTheUninterruptedCurve() throws IOException {
        // Adam (moment state), all layers trainable, random augmentation: everything a resume could get wrong; then
        // the frozen-bottom paths (features per batch with augmentation, features cached once without).
        for (HyperParams hp : new HyperParams[] {new HyperParams(0.005f, "adam", 4, "shift"),
                new HyperParams(0.05f, "sgd", 2, "flip"), new HyperParams(0.005f, "adam", 1, "none")}) {
            Path straight = dir.resolve("straight-" + hp.finetuneLayers());
            Path split = dir.resolve("split-" + hp.finetuneLayers());
            TrialResult a = trainer.run(task, 7, hp, 2, Optional.empty(), straight, 11);
            TrialResult first = trainer.run(task, 7, hp, 1, Optional.empty(), split, 11);
            TrialResult b = trainer.run(task, 7, hp, 2, Optional.of(split), split, 11);

            assertThat(first.valTop1()).containsExactly(a.valTop1().get(0));
            assertThat(b.epochs()).isEqualTo(2);
            assertThat(b.valTop1()).isEqualTo(a.valTop1());
            assertThat(b.testTop1()).isEqualTo(a.testTop1());
            assertThat(Files.readAllBytes(split.resolve(Trainer.PARAMS)))
                    .isEqualTo(Files.readAllBytes(straight.resolve(Trainer.PARAMS)));
            assertThat(Files.readAllBytes(split.resolve(Trainer.OPTIMIZER)))
                    .isEqualTo(Files.readAllBytes(straight.resolve(Trainer.OPTIMIZER)));
        }
    }

    @Test
    void learnsAnEasyTaskAndOnlyTrainsTheRequestedLayers() throws Exception {
        TaskData easy = TestTasks.shapes("easy", 2, 30, 8);
        TrialResult r = trainer.run(easy, 0, new HyperParams(0.005f, "adam", 1, "none"), 4, Optional.empty(),
                dir.resolve("easy"), 1);
        assertThat(r.valTop1()).hasSize(4);
        assertThat(r.testTop1()).hasSize(4);
        assertThat(r.seconds()).isSorted();
        assertThat(r.finalValTop1()).isGreaterThanOrEqualTo(0.75);
        // Head-only: the conv weights in the checkpoint are still the bundled backbone's.
        assertThat(Trainer.backboneOf(dir.resolve("easy"), 2)).isEqualTo(Backbone.bundledWeights());
    }

    @Test
    void aTrialAskedToStopEndsAtTheNextEpochAndLeavesNoCheckpoint() {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        Path stopped = dir.resolve("stopped");
        assertThatThrownBy(() -> trainer.run(task, ConfigSpace.bundled().config(3), 4, Optional.empty(), stopped,
                () -> asked.incrementAndGet() == 2))
                .isInstanceOfSatisfying(Trainer.Stopped.class, s -> assertThat(s.epochsDone).as("asked before epochs 2 and 3").isEqualTo(2));
        assertThat(asked).hasValue(2);
        assertThat(stopped).doesNotExist();
    }

    @Test
    void askingForFewerEpochsThanCheckpointedReturnsThePrefix() throws IOException {
        HyperParams hp = new HyperParams(0.005f, "sgd", 1, "none");
        TrialResult full = trainer.run(task, 3, hp, 3, Optional.empty(), dir, 2);
        TrialResult prefix = trainer.run(task, 3, hp, 2, Optional.of(dir), dir.resolve("unused"), 2);
        assertThat(prefix.valTop1()).isEqualTo(full.valTop1().subList(0, 2));
    }

    @Test
    void resumingAnotherConfigurationIsRefused() throws IOException {
        trainer.run(task, 1, new HyperParams(0.005f, "sgd", 1, "none"), 1, Optional.empty(), dir, 2);
        assertThatThrownBy(() -> trainer.run(task, 1, new HyperParams(0.05f, "sgd", 1, "none"), 2, Optional.of(dir),
                dir, 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot resume");
        assertThatThrownBy(() -> trainer.run(task, 1, new HyperParams(0.005f, "sgd", 1, "none"), 2,
                Optional.of(dir.resolve("none")), dir, 2)).isInstanceOf(IOException.class)
                .hasMessageContaining("no completed checkpoint");
    }

    @Test
    void everyConfigurationOfTheSpaceIsUnderstood() {
        ConfigSpace space = ConfigSpace.bundled();
        assertThat(space.size()).isGreaterThanOrEqualTo(40);
        space.configs().forEach(HyperParams::of);
        assertThatThrownBy(() -> new HyperParams(0.1f, "rmsprop", 1, "none"))
                .hasMessageContaining("optimizer must be sgd or adam");
    }

    @Test
    void tamperedBackboneIsRefused() {
        byte[] w = Backbone.bundledWeights().clone();
        String sum = Backbone.sha256(w) + "  backbone.params";
        assertThat(Backbone.verified("b", w, sum)).isSameAs(w);
        w[w.length / 2] ^= 1;
        assertThatThrownBy(() -> Backbone.verified("b", w, sum)).hasMessageContaining("is corrupt: SHA-256");
    }
}
