package io.hyperstar.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.train.Backbone;

/**
 * A HyperSTAR network with the DJL model that owns its parameters, for one configuration space. Load it once and
 * share it: ranking only reads parameters; closing it frees everything.
 */
public final class HyperStarModel implements AutoCloseable {

    private final Model model;
    private final HyperStarNet net;
    private final ConfigSpace space;
    // Set once after training or loading, before the model is shared; volatile so every ranking thread sees it.
    private volatile TaskMemory memory;

    private HyperStarModel(Model model, HyperStarNet net, ConfigSpace space) {
        this.model = model;
        this.net = net;
        this.space = space;
    }

    /** A fresh network over the bundled, checksum-verified source backbone, on the first device DJL offers. */
    public static HyperStarModel create(ConfigSpace space, Architecture arch) {
        return create(space, arch, Backbone.bundledWeights());
    }

    public static HyperStarModel create(ConfigSpace space, Architecture arch, byte[] backboneWeights) {
        Device device = Engine.getInstance().getDevices(1)[0];
        Model model = Model.newInstance("hyperstar", device);
        try {
            HyperStarNet net = new HyperStarNet(arch);
            model.setBlock(net);
            net.initialize(model.getNDManager(), space.encodingWidth(), backboneWeights);
            // Untrained and unloaded models rank too (benchmarks); MetaTrainer unfreezes what it trains.
            net.freezeParameters(true);
            return new HyperStarModel(model, net, space);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public HyperStarNet net() {
        return net;
    }

    /** The training tasks a neighbour-readout model ranks by; empty for the paper's predictor readout. */
    public java.util.Optional<TaskMemory> memory() {
        return java.util.Optional.ofNullable(memory);
    }

    /** Switches this model to the neighbour readout over {@code m} (null: back to the predictor head). */
    public void useMemory(TaskMemory m) {
        if (m != null && m.zTargets()[0].length != space.size()) {
            throw new IllegalArgumentException("memory holds " + m.zTargets()[0].length + " configurations, the space "
                    + space.size());
        }
        this.memory = m;
    }

    public ConfigSpace space() {
        return space;
    }

    public NDManager manager() {
        return model.getNDManager();
    }

    /** One-hot encodings of the given configuration ids, (C, width), in {@code manager}. */
    public NDArray oneHot(NDManager manager, int[] configIds) {
        int w = space.encodingWidth();
        float[] data = new float[configIds.length * w];
        for (int i = 0; i < configIds.length; i++) {
            System.arraycopy(space.oneHot(configIds[i]), 0, data, i * w, w);
        }
        return manager.create(data, new Shape(configIds.length, w));
    }

    @Override
    public void close() {
        model.close();
    }
}
