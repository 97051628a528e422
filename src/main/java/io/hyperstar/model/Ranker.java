package io.hyperstar.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.hyperstar.catalog.ImageSet;
import io.hyperstar.metalearn.Metrics;

import java.util.Random;
import java.util.stream.IntStream;

/**
 * The online phase (paper Algorithm 2), done in one pass: the CNN and set layer run once per image batch, and all
 * H configurations are scored against the B task embeddings together, then averaged over the batches.
 */
public final class Ranker {

    /** Defaults of the paper: B = 10 batches of N = 64 images. */
    public static final int BATCHES = 10;
    public static final int PER_BATCH = 64;

    /**
     * Configuration ids by predicted score, highest first (ties by id), the score of every id, and the task
     * embedding (the mean of the batches' embeddings; empty from the naive loop, which never averages them).
     */
    public record Ranking(int[] order, float[] scores, float[] embedding) {
    }

    private Ranker() {
    }

    /**
     * Ranks every configuration of the model's space for a task given by its (training) images: by the predictor
     * head (the paper's readout), or, when the model carries a {@link TaskMemory}, by the training tasks nearest to
     * the task's embedding.
     */
    public static Ranking rank(HyperStarModel model, ImageSet images, int batches, int perBatch, long seed) {
        return rank(model, images, ImageBatches.sample(images.size(), batches, perBatch, new Random(seed)));
    }

    /**
     * The same for batches already chosen: {@code batches[b]} are the indices in {@code images} of batch b. The
     * recommender samples the indices over a whole dataset, reads only those images, and ranks from them.
     */
    public static Ranking rank(HyperStarModel model, ImageSet images, int[][] batches) {
        try (NDManager m = model.manager().newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray t = embeddings(model, m, ps, images, batches);
            float[] embedding = t.mean(new int[] {0}).toFloatArray();
            float[] scores = model.memory().isPresent() ? model.memory().get().scores(embedding)
                    : model.net().scores(ps, t, model.net().configEmbeddings(ps,
                            model.oneHot(m, IntStream.range(0, model.space().size()).toArray()), false), false)
                            .mean(new int[] {0}).toFloatArray();
            return new Ranking(Metrics.orderDescending(scores), scores, embedding);
        }
    }

    /** The task embedding {@link #rank} uses: the mean over the sampled batches' embeddings. */
    public static float[] embed(HyperStarModel model, ImageSet images, int batches, int perBatch, long seed) {
        try (NDManager m = model.manager().newSubManager()) {
            return embeddings(model, m, new ParameterStore(m, false), images,
                    ImageBatches.sample(images.size(), batches, perBatch, new Random(seed))).mean(new int[] {0}).toFloatArray();
        }
    }

    /** One embedding per sampled image batch, (B, d); the CNN and set layer run once per batch. */
    private static NDArray embeddings(HyperStarModel model, NDManager m, ParameterStore ps, ImageSet images, int[][] idx) {
        NDArray imgs = m.create(ImageBatches.pixels(images, idx),
                new Shape(idx.length, idx[0].length, 1, images.height(), images.width()));
        Shape s = imgs.getShape();
        NDArray feats = model.net().stemFeatures(ps, imgs.reshape(new Shape(s.get(0) * s.get(1)).addAll(s.slice(2))));
        return model.net().taskEmbeddings(ps,
                feats.reshape(new Shape(s.get(0), s.get(1)).addAll(feats.getShape().slice(1))), false);
    }

    /**
     * The paper's Algorithm 2 literally: for each configuration, for each batch, run the whole network on that
     * (batch, configuration) pair. Same batches as {@link #rank} for the same seed; for tests and benchmarks only.
     */
    public static Ranking rankNaive(HyperStarModel model, ImageSet images, int batches, int perBatch, long seed) {
        int[][] idx = ImageBatches.sample(images.size(), batches, perBatch, new Random(seed));
        int h = model.space().size();
        float[] mean = new float[h];
        try (NDManager m = model.manager().newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            for (int c = 0; c < h; c++) {
                NDArray config = model.oneHot(m, new int[] {c});
                double sum = 0;
                for (int b = 0; b < batches; b++) {
                    try (NDManager step = m.newSubManager()) {
                        NDArray imgs = step.create(ImageBatches.pixels(images, new int[][] {idx[b]}),
                                new Shape(1, perBatch, 1, images.height(), images.width()));
                        sum += model.net().forward(ps, new NDList(imgs, config), false).head().getFloat(0, 0);
                    }
                }
                mean[c] = (float) (sum / batches);
            }
        }
        return new Ranking(Metrics.orderDescending(mean), mean, new float[0]);
    }
}
