package io.hyperstar.model;

/**
 * Hyperparameters of the offline meta-learning phase (paper Algorithm 1).
 *
 * @param variant      which regularisers are on
 * @param epochs       passes over all tasks (the "while not converged" loop)
 * @param imagesPerBatch N_img, images per sampled batch
 * @param batchesPerTask B_img, image batches (= update steps) per task per pass
 * @param configsPerStep O_hyper, configurations in a task's hyperparameter batch
 * @param window       L, batch embeddings averaged into the sliding-window global embedding
 * @param alpha        weight of L_sim
 * @param beta         weight of L_adv
 * @param learningRate Adam's learning rate for the encoders, predictor and discriminator
 * @param seed         seeds task order, batch and configuration sampling
 * @param trainTopConv whether the backbone's top conv block trains with the rest (end to end above the frozen
 *                     stem) or stays as pre-trained, so that its output can be cached per image (a step with
 *                     one image batch: 4.1 instead of 6.9 ms on one CPU thread, load-tests/metatraining)
 * @param setsPerStep  image batches of a task that form one update (1 = the paper's Algorithm 1, one update per
 *                     batch); larger values cut the number of steps, whose fixed per-operation cost dominates
 *                     on a CPU (ten batches in one step: 12.3 ms instead of 10 x 4.1 ms)
 */
public record TrainSettings(Variant variant, int epochs, int imagesPerBatch, int batchesPerTask, int configsPerStep,
                            int window, float alpha, float beta, float learningRate, long seed,
                            boolean trainTopConv, int setsPerStep) {

    public TrainSettings {
        if (setsPerStep < 1) {
            throw new IllegalArgumentException("setsPerStep must be at least 1, not " + setsPerStep);
        }
    }

    /** Settings that train the top conv block (the shipped model's setting). */
    public TrainSettings(Variant variant, int epochs, int imagesPerBatch, int batchesPerTask, int configsPerStep,
                         int window, float alpha, float beta, float learningRate, long seed) {
        this(variant, epochs, imagesPerBatch, batchesPerTask, configsPerStep, window, alpha, beta, learningRate, seed,
                true, 1);
    }

    /** The paper's N_img = 64, B_img = 10, O_hyper = 10; L, alpha, beta and the learning rate are ours. */
    public static TrainSettings defaults(Variant variant, int epochs, long seed) {
        return new TrainSettings(variant, epochs, 64, 10, 10, 5, 1f, 0.1f, 1e-3f, seed);
    }

    public TrainSettings withEpochs(int e) {
        return new TrainSettings(variant, e, imagesPerBatch, batchesPerTask, configsPerStep, window, alpha, beta,
                learningRate, seed, trainTopConv, setsPerStep);
    }

    public TrainSettings withBatches(int imagesPerBatch, int batchesPerTask) {
        return new TrainSettings(variant, epochs, imagesPerBatch, batchesPerTask, configsPerStep, window, alpha, beta,
                learningRate, seed, trainTopConv, setsPerStep);
    }

    public TrainSettings withTopConvTrained(boolean train) {
        return new TrainSettings(variant, epochs, imagesPerBatch, batchesPerTask, configsPerStep, window, alpha, beta,
                learningRate, seed, train, setsPerStep);
    }

    public TrainSettings withSetsPerStep(int sets) {
        return new TrainSettings(variant, epochs, imagesPerBatch, batchesPerTask, configsPerStep, window, alpha, beta,
                learningRate, seed, trainTopConv, sets);
    }

    public TrainSettings withVariant(Variant v, long seed) {
        return new TrainSettings(v, epochs, imagesPerBatch, batchesPerTask, configsPerStep, window, alpha, beta,
                learningRate, seed, trainTopConv, setsPerStep);
    }
}
