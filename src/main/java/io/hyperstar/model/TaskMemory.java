package io.hyperstar.model;

import io.hyperstar.catalog.ImageSet;

import java.util.Arrays;
import java.util.List;

/**
 * The neighbour readout: a model keeps the embedding and the z-normalised accuracies of every task it trained on, and
 * ranks a new task by the training tasks' accuracies weighted by embedding similarity, softmax(cos(t, t_j) / T).
 *
 * <p>Why: L_sim trains cos(t_i, t_j) towards r_ij, the AP@10 agreement of two tasks' true rankings, so the embedding
 * is built to say which training tasks rank configurations alike; the predictor head, a free function of (t, s)
 * fitted to a few dozen tasks, extrapolates badly to a task unlike all of them (docs/benchmarks/README.md). Reading the ranking
 * off the nearest tasks keeps every prediction a convex mix of real rankings.
 *
 * @param tasks       training task ids, in the order of the rows below
 * @param embeddings  each training task's embedding (mean over the ranking's image batches)
 * @param zTargets    each training task's per-configuration z-normalised accuracy (NaN = no result)
 * @param temperature T of the softmax; small = few neighbours, large = the task-agnostic mean
 */
public record TaskMemory(List<String> tasks, float[][] embeddings, double[][] zTargets, double temperature) {

    /** Chosen on a one-seed probe over the suite (docs/benchmarks/README.md): AP@10 varies little for T in 0.1-0.5. */
    public static final double DEFAULT_TEMPERATURE = 0.2;

    /** Appended to a variant's label (BM+Sim) to name a model that ranks with this readout (BM+Sim+neighbours). */
    public static final String LABEL = "+neighbours";

    public TaskMemory {
        if (tasks.isEmpty() || tasks.size() != embeddings.length || tasks.size() != zTargets.length) {
            throw new IllegalArgumentException("a task memory needs one embedding and one target row per task");
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive, not " + temperature);
        }
    }

    /** A training task as the memory sees it: its images (to embed) and its z-normalised accuracies. */
    public record Entry(String id, ImageSet images, double[] zTargets) {
    }

    /** Embeds every training task with the trained model, the same way {@link Ranker#rank} embeds a new one. */
    public static TaskMemory build(HyperStarModel model, List<Entry> entries, int batches, int perBatch, long seed,
                                   double temperature) {
        float[][] e = new float[entries.size()][];
        double[][] z = new double[entries.size()][];
        for (int j = 0; j < entries.size(); j++) {
            e[j] = Ranker.embed(model, entries.get(j).images(), batches, perBatch, seed);
            z[j] = entries.get(j).zTargets().clone();
        }
        return new TaskMemory(entries.stream().map(Entry::id).toList(), e, z, temperature);
    }

    /** softmax(cos(t, t_j) / T) over the training tasks. */
    public double[] weights(float[] embedding) {
        double[] cos = new double[embeddings.length];
        for (int j = 0; j < cos.length; j++) {
            cos[j] = cosine(embedding, embeddings[j]);
        }
        return softmax(cos, temperature);
    }

    /** A training task and its weight in a readout. */
    public record Neighbour(String task, double weight) {
    }

    /** The {@code k} heaviest training tasks for this embedding, heaviest first (ties by memory order). */
    public List<Neighbour> nearest(float[] embedding, int k) {
        double[] w = weights(embedding);
        return java.util.stream.IntStream.range(0, w.length).boxed()
                .sorted((a, b) -> Double.compare(w[b], w[a])).limit(k)
                .map(j -> new Neighbour(tasks.get(j), w[j])).toList();
    }

    /** The score of every configuration for a task with this embedding: {@link #mix} of the memory's rows. */
    public float[] scores(float[] embedding) {
        return mix(weights(embedding), zTargets);
    }

    /** softmax(similarity / T). */
    public static double[] softmax(double[] similarity, double temperature) {
        double max = Arrays.stream(similarity).max().orElse(0);
        double[] w = new double[similarity.length];
        double sum = 0;
        for (int j = 0; j < w.length; j++) {
            w[j] = Math.exp((similarity[j] - max) / temperature);
            sum += w[j];
        }
        for (int j = 0; j < w.length; j++) {
            w[j] /= sum;
        }
        return w;
    }

    /**
     * Per configuration, the weighted mean of the rows' z-scores; a row without a result for a configuration leaves
     * it out of that configuration's mean.
     */
    public static float[] mix(double[] weights, double[][] zTargets) {
        int h = zTargets[0].length;
        float[] s = new float[h];
        for (int c = 0; c < h; c++) {
            double sum = 0;
            double mass = 0;
            for (int j = 0; j < weights.length; j++) {
                if (!Double.isNaN(zTargets[j][c])) {
                    sum += weights[j] * zTargets[j][c];
                    mass += weights[j];
                }
            }
            s[c] = mass > 0 ? (float) (sum / mass) : Float.NEGATIVE_INFINITY;
        }
        return s;
    }

    private static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embedding of size " + a.length + ", the memory holds size "
                    + b.length);
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb + 1e-12);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskMemory m && tasks.equals(m.tasks) && Arrays.deepEquals(embeddings, m.embeddings)
                && Arrays.deepEquals(zTargets, m.zTargets) && temperature == m.temperature;
    }

    @Override
    public int hashCode() {
        return tasks.hashCode() * 31 + Arrays.deepHashCode(embeddings);
    }
}
