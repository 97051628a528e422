package io.hyperstar.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.hyperstar.catalog.ImageSet;
import io.hyperstar.metalearn.MetaDataset;
import io.hyperstar.metalearn.Metrics;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The offline meta-learning phase (paper Algorithm 1): for each task, a hyperparameter batch of O_hyper
 * configurations and B_img image batches; each image batch is one update of the encoders and predictor on
 * L_perf + alpha L_sim + beta L_adv, followed by one update of the discriminator. With setsPerStep > 1, that many of
 * the task's image batches go through the network together as one update (their losses averaged): the same images
 * per pass in fewer, larger steps, since on a CPU a step costs mostly its fixed per-operation overhead.
 */
public final class MetaTrainer {

    /** A training task: its images and, per configuration id, the z-normalised target (NaN = no result). */
    public record TrainingTask(String id, ImageSet images, double[] zTargets, int[] trueRanking) {

        /** A meta-dataset task with its training images. */
        public static TrainingTask of(MetaDataset.TaskRecord record, ImageSet images) {
            return new TrainingTask(record.id(), images, record.zTargets(), record.trueRanking());
        }
    }

    /** Mean losses of one pass over the tasks (sim/adv/disc are 0 when the term is off). */
    public record EpochLoss(double perf, double sim, double adv, double disc) {
    }

    public record TrainingResult(List<EpochLoss> epochs, int steps, double seconds) {
    }

    private static final int STEM_CHUNK = 256;

    private final HyperStarModel model;
    private final TrainSettings settings;

    public MetaTrainer(HyperStarModel model, TrainSettings settings) {
        this.model = model;
        this.settings = settings;
    }

    /** r_ij of L_sim for every pair of tasks ({@link Metrics#agreement}). */
    public static double[][] similarity(List<TrainingTask> tasks) {
        int m = tasks.size();
        double[][] r = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                r[i][j] = Metrics.agreement(tasks.get(i).trueRanking(), tasks.get(j).trueRanking());
            }
        }
        return r;
    }

    public TrainingResult train(List<TrainingTask> tasks) {
        long start = System.nanoTime();
        HyperStarNet net = model.net();
        NDManager root = model.manager();
        // Whatever does not train is computed once per image: the stem always, the top conv block when frozen.
        boolean top = settings.trainTopConv();
        List<float[]> cached = new ArrayList<>();
        for (TrainingTask t : tasks) {
            cached.add(top ? stemFeatures(t.images()) : backboneFeatures(t.images()));
        }
        double[][] r = similarity(tasks);

        Set<String> discIds = new HashSet<>();
        for (Pair<String, Parameter> p : net.discriminator().getParameters()) {
            discIds.add(p.getValue().getId());
        }
        Set<String> frozenIds = new HashSet<>();
        for (Pair<String, Parameter> p : net.stem().getParameters()) {
            frozenIds.add(p.getValue().getId());
        }
        if (!top) {
            for (Pair<String, Parameter> p : net.topConv().getParameters()) {
                frozenIds.add(p.getValue().getId());
            }
        }
        List<Parameter> encoderParams = new ArrayList<>();
        List<Parameter> discParams = new ArrayList<>();
        net.freezeParameters(false);
        net.stem().freezeParameters(true);
        net.topConv().freezeParameters(!top);
        for (Pair<String, Parameter> p : net.getParameters()) {
            Parameter param = p.getValue();
            if (!frozenIds.contains(param.getId())) {
                (discIds.contains(param.getId()) ? discParams : encoderParams).add(param);
            }
        }
        Optimizer encoderOpt = Optimizer.adam().optLearningRateTracker(Tracker.fixed(settings.learningRate()))
                .optClipGrad(5f).build();
        Optimizer discOpt = Optimizer.adam().optLearningRateTracker(Tracker.fixed(settings.learningRate()))
                .optClipGrad(5f).build();

        Random rnd = new Random(settings.seed());
        int n = settings.imagesPerBatch();
        Shape featureShape = top ? HyperStarNet.STEM_OUT : new Shape(HyperStarNet.BACKBONE_FEATURES);
        int featureSize = (int) featureShape.size();
        // Latest (detached) embedding of every task: the other side of the L_sim pairs.
        Map<Integer, float[]> bank = new HashMap<>();
        List<EpochLoss> history = new ArrayList<>();
        int steps = 0;
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < tasks.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, rnd);
            double perfSum = 0;
            double simSum = 0;
            double advSum = 0;
            double discSum = 0;
            int count = 0;
            for (int m : order) {
                TrainingTask task = tasks.get(m);
                int[] configs = sampleConfigs(task.zTargets(), settings.configsPerStep(), rnd);
                float[] targets = new float[configs.length];
                for (int c = 0; c < configs.length; c++) {
                    targets[c] = (float) task.zTargets()[configs[c]];
                }
                Deque<float[]> window = new ArrayDeque<>();
                int size = task.images().size();
                for (int b = 0; b < settings.batchesPerTask(); b += settings.setsPerStep()) {
                    int sets = Math.min(settings.setsPerStep(), settings.batchesPerTask() - b);
                    int[][] idx = ImageBatches.sample(size, sets, n, rnd);
                    float[] feats = new float[sets * n * featureSize];
                    for (int k = 0; k < sets; k++) {
                        for (int i = 0; i < n; i++) {
                            System.arraycopy(cached.get(m), idx[k][i] * featureSize, feats,
                                    (k * n + i) * featureSize, featureSize);
                        }
                    }
                    try (NDManager step = root.newSubManager()) {
                        ParameterStore ps = new ParameterStore(step, false);
                        NDArray x = step.create(feats, new Shape(sets, n).addAll(featureShape));
                        NDArray oneHot = model.oneHot(step, configs);
                        NDArray y = step.create(targets, new Shape(1, configs.length));
                        float[] tl;
                        zeroGradients(encoderParams);
                        zeroGradients(discParams);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray t = top ? net.taskEmbeddings(ps, x, true) : net.embedBackboneFeatures(ps, x, true);
                            NDArray s = net.configEmbeddings(ps, oneHot, true);
                            NDArray perf = net.scores(ps, t, s, true).sub(y).square().mean();
                            NDArray loss = perf;
                            perfSum += perf.getFloat();
                            if (settings.variant().similarity() && bank.size() > (bank.containsKey(m) ? 1 : 0)) {
                                NDArray sim = similarityLoss(step, t, m, bank, r[m]);
                                simSum += sim.getFloat();
                                loss = loss.add(sim.mul(settings.alpha()));
                            }
                            if (settings.variant().adversarial()) {
                                // Non-saturating generator loss: the encoder wants D to call a batch "global".
                                NDArray adv = Activation.softPlus(net.discriminate(ps, t, true).neg()).mean();
                                advSum += adv.getFloat();
                                loss = loss.add(adv.mul(settings.beta()));
                            }
                            gc.backward(loss);
                            tl = t.toFloatArray();
                        }
                        update(encoderOpt, encoderParams);
                        int d = tl.length / sets;
                        Deque<float[]> rows = new ArrayDeque<>();
                        for (int k = 0; k < sets; k++) {
                            rows.add(java.util.Arrays.copyOfRange(tl, k * d, (k + 1) * d));
                        }
                        bank.put(m, mean(rows));
                        for (float[] row : rows) {
                            window.addLast(row);
                            if (window.size() > settings.window()) {
                                window.removeFirst();
                            }
                        }
                        if (settings.variant().adversarial()) {
                            NDArray global = step.create(mean(window), new Shape(1, d));
                            NDArray local = step.create(tl, new Shape(sets, d));
                            // The generator step left gradients on D too; they must not leak into D's update.
                            zeroGradients(discParams);
                            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                                NDArray dl = Activation.softPlus(net.discriminate(ps, global, true).neg()).mean()
                                        .add(Activation.softPlus(net.discriminate(ps, local, true)).mean());
                                discSum += dl.getFloat();
                                gc.backward(dl);
                            }
                            update(discOpt, discParams);
                        }
                    }
                    count++;
                    steps++;
                }
            }
            history.add(new EpochLoss(perfSum / count, simSum / count, advSum / count, discSum / count));
        }
        // Trained: from here on the model only ranks; without gradients no autograd graph is built on any thread.
        net.freezeParameters(true);
        return new TrainingResult(history, steps, (System.nanoTime() - start) / 1e9);
    }

    /**
     * (r_mj - cos(t_m, t_j))^2 averaged over the other tasks in the bank and over the rows of t (one per image batch
     * of this step); only t_m carries gradient.
     */
    private static NDArray similarityLoss(NDManager step, NDArray t, int m, Map<Integer, float[]> bank, double[] r) {
        List<float[]> others = new ArrayList<>();
        List<Float> rs = new ArrayList<>();
        for (Map.Entry<Integer, float[]> e : bank.entrySet()) {
            if (e.getKey() != m) {
                others.add(normalised(e.getValue()));
                rs.add((float) r[e.getKey()]);
            }
        }
        int d = others.get(0).length;
        float[] o = new float[others.size() * d];
        float[] target = new float[others.size()];
        for (int k = 0; k < others.size(); k++) {
            System.arraycopy(others.get(k), 0, o, k * d, d);
            target[k] = rs.get(k);
        }
        NDArray unit = t.div(t.square().sum(new int[] {1}, true).add(1e-8f).sqrt());
        NDArray cos = unit.matMul(step.create(o, new Shape(others.size(), d)).transpose());
        return cos.sub(step.create(target, new Shape(1, others.size()))).square().mean();
    }

    private static float[] normalised(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        float inv = (float) (1 / Math.sqrt(n + 1e-8));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * inv;
        }
        return out;
    }

    private static float[] mean(Deque<float[]> window) {
        float[] out = new float[window.peekFirst().length];
        for (float[] v : window) {
            for (int i = 0; i < out.length; i++) {
                out[i] += v[i] / window.size();
            }
        }
        return out;
    }

    /**
     * Zeroes the gradients of the given parameters only (the collector's own zeroGradients() walks every array the
     * engine manages, in every model of the JVM).
     */
    private static void zeroGradients(List<Parameter> params) {
        for (Parameter p : params) {
            NDArray w = p.getArray();
            if (w.hasGradient()) {
                try (NDArray g = w.getGradient()) {
                    g.muli(0);
                }
            }
        }
    }

    private static void update(Optimizer opt, List<Parameter> params) {
        for (Parameter p : params) {
            NDArray w = p.getArray();
            try (NDArray g = w.getGradient()) {
                opt.update(p.getId(), w, g);
            }
        }
    }

    /** O_hyper configurations with a result, without replacement (all of them if the task has fewer). */
    static int[] sampleConfigs(double[] z, int k, Random rnd) {
        List<Integer> have = new ArrayList<>();
        for (int i = 0; i < z.length; i++) {
            if (!Double.isNaN(z[i])) {
                have.add(i);
            }
        }
        Collections.shuffle(have, rnd);
        return have.subList(0, Math.min(k, have.size())).stream().mapToInt(Integer::intValue).toArray();
    }

    /** The frozen stem's output for every image of a task, computed once (the stem never changes in training). */
    float[] stemFeatures(ImageSet images) {
        return perImage(images, (ps, x) -> model.net().stemFeatures(ps, x), (int) HyperStarNet.STEM_OUT.size());
    }

    /** The frozen backbone's output (all three conv blocks) for every image of a task. */
    float[] backboneFeatures(ImageSet images) {
        return perImage(images, (ps, x) -> model.net().backboneFeatures(ps, x), HyperStarNet.BACKBONE_FEATURES);
    }

    private float[] perImage(ImageSet images, java.util.function.BiFunction<ParameterStore, NDArray, NDArray> f,
                             int featureSize) {
        float[] out = new float[images.size() * featureSize];
        ImageBatches.inChunks(model.manager(), images, STEM_CHUNK, (ps, x, from) -> {
            float[] feats = f.apply(ps, x).toFloatArray();
            System.arraycopy(feats, 0, out, from * featureSize, feats.length);
        });
        return out;
    }
}
