package io.hyperstar.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.hyperstar.catalog.ImageSet;
import io.hyperstar.catalog.TestTasks;
import io.hyperstar.space.ConfigSpace;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Shapes and gradients of each block of the network, on real images of a task from the suite's recipes. */
class HyperStarNetTests {

    static final ConfigSpace SPACE = ConfigSpace.bundled();
    static HyperStarModel model;
    static ImageSet images;

    @BeforeAll
    static void setUp() throws IOException {
        model = HyperStarModel.create(SPACE, new Architecture(32, 4, 64, 64));
        images = TestTasks.shapes("shapes-net", 4, 6, 7).train();
    }

    @AfterAll
    static void tearDown() {
        model.close();
    }

    private NDArray batches(NDManager m, int sets, int n) {
        int[][] idx = ImageBatches.sample(images.size(), sets, n, new Random(1));
        return m.create(ImageBatches.pixels(images, idx), new Shape(sets, n, 1, 28, 28));
    }

    @Test
    void shapesOfEveryBlock() {
        HyperStarNet net = model.net();
        try (NDManager m = model.manager().newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray imgs = batches(m, 3, 8);
            NDArray stem = net.stemFeatures(ps, imgs.reshape(24, 1, 28, 28));
            assertThat(stem.getShape()).isEqualTo(new Shape(24, 32, 7, 7));
            NDArray t = net.taskEmbeddings(ps, stem.reshape(3, 8, 32, 7, 7), false);
            assertThat(t.getShape()).isEqualTo(new Shape(3, 32));
            NDArray s = net.configEmbeddings(ps, model.oneHot(m, new int[] {0, 1, 2, 3, 4}), false);
            assertThat(s.getShape()).isEqualTo(new Shape(5, 32));
            assertThat(net.scores(ps, t, s, false).getShape()).isEqualTo(new Shape(3, 5));
            assertThat(net.discriminate(ps, t, false).getShape()).isEqualTo(new Shape(3));
            NDArray all = net.forward(ps, new NDList(imgs, model.oneHot(m, new int[] {0, 1, 2, 3, 4})), false)
                    .head();
            assertThat(all.getShape()).isEqualTo(new Shape(3, 5));
            assertThat(net.getOutputShapes(new Shape[] {imgs.getShape(), new Shape(5, SPACE.encodingWidth())}))
                    .containsExactly(new Shape(3, 5));
        }
    }

    @Test
    void taskEmbeddingIsASetFunction() {
        HyperStarNet net = model.net();
        try (NDManager m = model.manager().newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray imgs = batches(m, 1, 8);
            NDArray shuffled = imgs.get(":, {}", m.create(new int[] {7, 3, 5, 0, 1, 6, 2, 4}));
            NDArray a = net.taskEmbeddings(ps, net.stemFeatures(ps, imgs.reshape(8, 1, 28, 28))
                    .reshape(1, 8, 32, 7, 7), false);
            NDArray b = net.taskEmbeddings(ps, net.stemFeatures(ps, shuffled.reshape(8, 1, 28, 28))
                    .reshape(1, 8, 32, 7, 7), false);
            float[] x = a.toFloatArray();
            float[] y = b.toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertThat(y[i]).isCloseTo(x[i], within(1e-4f));
            }
            // Different images give a different embedding (the BatchNorm pitfall of DJL's encoder block would not).
            NDArray other = net.taskEmbeddings(ps, net.stemFeatures(ps, batches(m, 2, 8).get("1:")
                    .reshape(8, 1, 28, 28)).reshape(1, 8, 32, 7, 7), true);
            assertThat(other.sub(a).abs().max().getFloat()).isGreaterThan(1e-4f);
        }
    }

    @Test
    void gradientsReachEveryTrainedBlockButNotTheFrozenStem() {
        HyperStarNet net = model.net();
        try (NDManager m = model.manager().newSubManager()) {
            // A created model is inference-only; train as MetaTrainer does: everything but the stem.
            for (Pair<String, Parameter> p : net.getParameters()) {
                assertThat(p.getValue().getArray().hasGradient()).as(p.getKey()).isFalse();
            }
            net.freezeParameters(false);
            net.stem().freezeParameters(true);
            ParameterStore ps = new ParameterStore(m, false);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.zeroGradients();
                NDArray stem = net.stemFeatures(ps, batches(m, 2, 8).reshape(16, 1, 28, 28));
                NDArray t = net.taskEmbeddings(ps, stem.reshape(2, 8, 32, 7, 7), true);
                NDArray s = net.configEmbeddings(ps, model.oneHot(m, new int[] {0, 5, 9}), true);
                NDArray loss = net.scores(ps, t, s, true).square().mean()
                        .add(net.discriminate(ps, t, true).square().mean());
                gc.backward(loss);
            }
            int withGradient = 0;
            for (Pair<String, Parameter> p : net.getParameters()) {
                NDArray w = p.getValue().getArray();
                String name = p.getKey();
                if (name.contains("stem")) {
                    assertThat(p.getValue().requiresGradient()).as(name).isFalse();
                    continue;
                }
                try (NDArray g = w.getGradient()) {
                    assertThat(g.getShape()).isEqualTo(w.getShape());
                    assertThat(g.abs().sum().getFloat()).as("gradient of %s", name).isGreaterThan(0f);
                    withGradient++;
                }
            }
            assertThat(withGradient).isGreaterThan(20);
            net.freezeParameters(true);
        }
    }
}
