package io.hyperstar.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hyperstar.catalog.ImageSet;
import io.hyperstar.catalog.TestTasks;
import io.hyperstar.space.ConfigSpace;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The batched ranking (one encoder pass per image batch, all configurations at once) against the paper's loop. */
class RankerTests {

    static final ConfigSpace SPACE = ConfigSpace.bundled();
    static HyperStarModel model;
    static ImageSet images;

    @BeforeAll
    static void setUp() throws IOException {
        model = HyperStarModel.create(SPACE, new Architecture(32, 4, 64, 64));
        // A few meta-training steps so the scores are not those of a fresh predictor.
        images = TestTasks.shapes("shapes-rank", 5, 8, 11).train();
        double[] z = new double[SPACE.size()];
        for (int i = 0; i < z.length; i++) {
            z[i] = Math.sin(i);
        }
        new MetaTrainer(model, new TrainSettings(Variant.BM, 2, 16, 3, 10, 3, 1f, 0.1f, 1e-3f, 3)).train(
                java.util.List.of(new MetaTrainer.TrainingTask("shapes-rank", images, z,
                        io.hyperstar.metalearn.Metrics.orderDescending(z))));
    }

    @AfterAll
    static void tearDown() {
        model.close();
    }

    @Test
    void batchedRankingEqualsTheNaivePerConfigurationLoop() {
        Ranker.Ranking batched = Ranker.rank(model, images, 4, 16, 42);
        Ranker.Ranking naive = Ranker.rankNaive(model, images, 4, 16, 42);
        assertThat(batched.order()).hasSize(SPACE.size());
        for (int c = 0; c < SPACE.size(); c++) {
            assertThat(batched.scores()[c]).as("config %d", c).isCloseTo(naive.scores()[c], within(1e-4f));
        }
        assertThat(batched.order()).containsExactly(naive.order());
        // Every configuration exactly once, ordered by score.
        assertThat(Arrays.stream(batched.order()).sorted().toArray()).containsExactly(
                java.util.stream.IntStream.range(0, SPACE.size()).toArray());
        for (int i = 1; i < batched.order().length; i++) {
            assertThat(batched.scores()[batched.order()[i - 1]]).isGreaterThanOrEqualTo(
                    batched.scores()[batched.order()[i]]);
        }
    }

    @Test
    void rankingIsDeterministicForASeed() {
        assertThat(Ranker.rank(model, images, 3, 16, 7).scores()).containsExactly(
                Ranker.rank(model, images, 3, 16, 7).scores());
    }
}
