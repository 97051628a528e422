package io.hyperstar.model;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.hyperstar.catalog.ImageSet;
import io.hyperstar.space.ConfigSpace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The paper's "global mean" baseline (Wong et al.): a task is the mean of frozen backbone features over all its
 * training images, fed through a projection to the same configuration encoder and predictor as HyperSTAR, trained
 * on L_perf only.
 */
public final class GlobalMeanBaseline implements AutoCloseable {

    private final ConfigSpace space;
    private final HyperStarModel backbone;
    private final Model model;
    private final SequentialBlock net;
    private final Linear projection;
    private final SequentialBlock configEncoder;
    private final SequentialBlock predictor;
    private final int d;

    public GlobalMeanBaseline(ConfigSpace space, Architecture arch) {
        this.space = space;
        this.d = arch.embedding();
        // An untrained HyperSTAR network is exactly the frozen source backbone plus unused heads.
        this.backbone = HyperStarModel.create(space, arch);
        this.model = Model.newInstance("global-mean", Engine.getInstance().getDevices(1)[0]);
        projection = Linear.builder().setUnits(d).build();
        configEncoder = new SequentialBlock().add(Linear.builder().setUnits(arch.hidden()).build())
                .add(Activation::relu).add(Linear.builder().setUnits(d).build());
        predictor = new SequentialBlock().add(Linear.builder().setUnits(arch.hidden()).build())
                .add(Activation::relu).add(Linear.builder().setUnits(arch.hidden()).build())
                .add(Activation::relu).add(Linear.builder().setUnits(1).build());
        net = new SequentialBlock().add(projection).add(configEncoder).add(predictor);
        model.setBlock(net);
        NDManager m = model.getNDManager();
        projection.initialize(m, DataType.FLOAT32, new Shape(1, HyperStarNet.BACKBONE_FEATURES));
        configEncoder.initialize(m, DataType.FLOAT32, new Shape(1, space.encodingWidth()));
        predictor.initialize(m, DataType.FLOAT32, new Shape(1, 2L * d));
    }

    /** Mean frozen-backbone feature of all images of a task ({@link HyperStarNet#BACKBONE_FEATURES} values). */
    public float[] globalMean(ImageSet images) {
        float[] sum = new float[HyperStarNet.BACKBONE_FEATURES];
        ImageBatches.inChunks(backbone.manager(), images, 256, (ps, x, from) -> {
            float[] f = backbone.net().backboneFeatures(ps, x).sum(new int[] {0}).toFloatArray();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += f[i];
            }
        });
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= images.size();
        }
        return sum;
    }

    private NDArray scores(ParameterStore ps, NDArray feature, NDArray oneHot, boolean training) {
        long c = oneHot.getShape().get(0);
        NDArray t = Activation.relu(projection.forward(ps, new NDList(feature), training).head()).broadcast(c, d);
        NDArray s = configEncoder.forward(ps, new NDList(oneHot), training).head();
        return predictor.forward(ps, new NDList(NDArrays.concat(new NDList(t, s), 1)), training).head().reshape(-1);
    }

    /** Trains on (global mean, z-targets) pairs: per pass, per task, {@code steps} batches of configurations. */
    public void train(List<float[]> features, List<double[]> zTargets, int epochs, int steps, int configsPerStep,
                      float lr, long seed) {
        List<Parameter> params = new ArrayList<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            p.getValue().getArray().setRequiresGradient(true);
            params.add(p.getValue());
        }
        Optimizer opt = Optimizer.adam().optLearningRateTracker(Tracker.fixed(lr)).optClipGrad(5f).build();
        Random rnd = new Random(seed);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < features.size(); i++) {
            order.add(i);
        }
        for (int e = 0; e < epochs; e++) {
            Collections.shuffle(order, rnd);
            for (int m : order) {
                for (int b = 0; b < steps; b++) {
                    int[] configs = MetaTrainer.sampleConfigs(zTargets.get(m), configsPerStep, rnd);
                    float[] y = new float[configs.length];
                    for (int i = 0; i < y.length; i++) {
                        y[i] = (float) zTargets.get(m)[configs[i]];
                    }
                    try (NDManager step = model.getNDManager().newSubManager()) {
                        ParameterStore ps = new ParameterStore(step, false);
                        for (Parameter p : params) {
                            if (p.getArray().hasGradient()) {
                                try (NDArray g = p.getArray().getGradient()) {
                                    g.muli(0);
                                }
                            }
                        }
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray pred = scores(ps, step.create(features.get(m),
                                    new Shape(1, HyperStarNet.BACKBONE_FEATURES)),
                                    oneHot(step, configs), true);
                            gc.backward(pred.sub(step.create(y)).square().mean());
                        }
                        for (Parameter p : params) {
                            try (NDArray g = p.getArray().getGradient()) {
                                opt.update(p.getId(), p.getArray(), g);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Predicted score of every configuration for a task's global mean feature. */
    public float[] predict(float[] feature) {
        int[] all = java.util.stream.IntStream.range(0, space.size()).toArray();
        try (NDManager m = model.getNDManager().newSubManager()) {
            return scores(new ParameterStore(m, false), m.create(feature,
                    new Shape(1, HyperStarNet.BACKBONE_FEATURES)), oneHot(m, all), false)
                    .toFloatArray();
        }
    }

    private NDArray oneHot(NDManager m, int[] ids) {
        return backbone.oneHot(m, ids);
    }

    @Override
    public void close() {
        model.close();
        backbone.close();
    }
}
