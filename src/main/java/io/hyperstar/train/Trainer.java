package io.hyperstar.train;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hyperstar.catalog.ImageSet;
import io.hyperstar.catalog.TaskData;
import io.hyperstar.space.ConfigSpace;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.Random;

/**
 * Fine-tunes the pre-trained backbone with a new head under one configuration, epoch by epoch, recording validation
 * and test top-1 after each epoch, and checkpoints so that a resumed trial follows the same curve as an
 * uninterrupted one. Each epoch's shuffling and augmentation come from (seed, epoch) alone. Thread-safe as long as
 * each thread runs its own trial; errors are exceptions, never exits.
 */
public final class Trainer {

    public static final int BATCH_SIZE = 32;
    public static final long DEFAULT_SEED = 17;
    static final String STATE = "trial.json";
    static final String PARAMS = "params.bin";
    static final String OPTIMIZER = "optimizer.bin";
    private static final int EVAL_BATCH = 500;

    private final byte[] backbone;
    private final Device device;

    /** A trainer over the bundled, checksum-verified backbone. */
    public Trainer() {
        this(Backbone.bundledWeights());
    }

    /** A trainer over the given backbone weights, or over a randomly initialised network when null. */
    public Trainer(byte[] backboneWeights) {
        this.backbone = backboneWeights;
        this.device = Engine.getInstance().getDevices(1)[0];
    }

    public Device device() {
        return device;
    }

    /** Runs one configuration of the space to {@code epochs} epochs in total with the default seed. */
    public TrialResult run(TaskData data, ConfigSpace.Config config, int epochs, Optional<Path> resumeFrom,
                           Path checkpointDir) throws IOException {
        return run(data, config, epochs, resumeFrom, checkpointDir, () -> false);
    }

    /**
     * The same, asking {@code stop} before every epoch after the first: a trial whose search was cancelled gives its
     * device back at the next epoch boundary instead of training to the end ({@link Stopped}).
     */
    public TrialResult run(TaskData data, ConfigSpace.Config config, int epochs, Optional<Path> resumeFrom,
                           Path checkpointDir, BooleanSupplier stop) throws IOException {
        return run(data, config.id(), HyperParams.of(config), epochs, resumeFrom, checkpointDir, DEFAULT_SEED, stop);
    }

    /** A trial stopped on request after {@code epochsDone} epochs in total; it leaves no checkpoint. */
    public static final class Stopped extends RuntimeException {
        public final int epochsDone;

        Stopped(int epochsDone) {
            super("stopped after " + epochsDone + " epochs");
            this.epochsDone = epochsDone;
        }
    }

    /**
     * Trains to {@code epochs} epochs in total: from scratch, or continuing the checkpoint in {@code resumeFrom}
     * (which must be of the same task, configuration and seed). The checkpoint of the final state goes to
     * {@code checkpointDir} (which may be the same folder).
     */
    public TrialResult run(TaskData data, int configId, HyperParams hp, int epochs, Optional<Path> resumeFrom,
                           Path checkpointDir, long seed) throws IOException {
        return run(data, configId, hp, epochs, resumeFrom, checkpointDir, seed, () -> false);
    }

    private TrialResult run(TaskData data, int configId, HyperParams hp, int epochs, Optional<Path> resumeFrom,
                            Path checkpointDir, long seed, BooleanSupplier stop) throws IOException {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        try (Model model = Model.newInstance("trial-" + data.id() + "-" + configId, device)) {
            SequentialBlock net = Backbone.network(data.numClasses());
            model.setBlock(net);
            NDManager mm = model.getNDManager();
            net.initialize(mm, DataType.FLOAT32, Backbone.INPUT);
            Map<String, String> idToName = new HashMap<>();
            List<String> names = new ArrayList<>();
            for (Pair<String, Parameter> p : net.getParameters()) {
                idToName.put(p.getValue().getId(), p.getKey());
                names.add(p.getKey());
            }
            ResumableOptimizer optimizer = new ResumableOptimizer(hp.optimizer(), hp.learningRate(), idToName, names,
                    mm);
            List<Double> val = new ArrayList<>();
            List<Double> test = new ArrayList<>();
            List<Double> secs = new ArrayList<>();
            if (resumeFrom.isPresent()) {
                readCheckpoint(resumeFrom.get(), data, configId, hp, seed, net, optimizer, mm, val, test, secs);
            } else {
                if (backbone != null) {
                    loadBackbone(net, mm, backbone);
                }
                initHead(net, seed);
            }
            int done = val.size();
            if (done >= epochs) {
                // The curve is already recorded further than asked: its prefix is the answer, no training needed.
                return new TrialResult(data.id(), configId, seed, val.subList(0, epochs), test.subList(0, epochs),
                        secs.subList(0, epochs), resumeFrom.get());
            }
            net.freezeParameters(false);
            for (int k = hp.finetuneLayers(); k < Backbone.LAYERS; k++) {
                Backbone.unitFromTop(net, k).freezeParameters(true);
            }
            // The frozen conv blocks at the bottom compute the same features all trial long: run them once over the
            // validation and test images (and the training images when there is no augmentation), and let the
            // DJL trainer see only the trainable top of the network (same block instances, same parameters).
            int frozen = Backbone.LAYERS - hp.finetuneLayers();
            SequentialBlock prefix = new SequentialBlock();
            SequentialBlock top = new SequentialBlock();
            List<Block> children = net.getChildren().values();
            for (int i = 0; i < children.size(); i++) {
                (i < frozen ? prefix : top).add(children.get(i));
            }
            Frozen bottom = frozen == 0 ? null : new Frozen(prefix, new ParameterStore(mm, false));
            model.setBlock(top);
            DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(optimizer).optDevices(new Device[] {device});
            double base = secs.isEmpty() ? 0 : secs.get(secs.size() - 1);
            long t0 = System.nanoTime();
            try (ai.djl.training.Trainer tr = model.newTrainer(cfg);
                 NDManager evalData = tr.getManager().newSubManager()) {
                NDArray valX = inputs(evalData, bottom, data.val());
                NDArray testX = inputs(evalData, bottom, data.test());
                NDArray trainX = bottom != null && hp.augmentation().equals("none")
                        ? inputs(evalData, bottom, data.train()) : null;
                for (int e = done + 1; e <= epochs; e++) {
                    if (e > done + 1 && stop.getAsBoolean()) {
                        throw new Stopped(e - 1);
                    }
                    trainEpoch(tr, bottom, data.train(), trainX, hp.augmentation(), seed, e);
                    val.add(accuracy(tr, valX, data.val().labels()));
                    test.add(accuracy(tr, testX, data.test().labels()));
                    secs.add(base + (System.nanoTime() - t0) / 1e9);
                }
            }
            writeCheckpoint(checkpointDir, data, configId, hp, seed, net, optimizer, val, test, secs);
            return new TrialResult(data.id(), configId, seed, val, test, secs, checkpointDir);
        } catch (MalformedModelException e) {
            throw new IOException("checkpoint or backbone weights are malformed: " + e.getMessage(), e);
        }
    }

    /** The frozen bottom of the network, run without gradients. */
    private record Frozen(Block block, ParameterStore store) {
        NDArray forward(NDArray x) {
            return block.forward(store, new NDList(x), false).singletonOrThrow();
        }
    }

    /**
     * One epoch over the training set in the order and with the augmentation drawn from (seed, epoch).
     * {@code cached}: the frozen bottom's output for every training image (no augmentation), or null.
     */
    private void trainEpoch(ai.djl.training.Trainer tr, Frozen bottom, ImageSet train, NDArray cached,
                            String augmentation, long seed, int epoch) {
        Random rnd = new Random(mix(seed, epoch));
        int n = train.size();
        int px = train.pixelsPerImage();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        float[] img = new float[px];
        for (int start = 0; start < n; start += BATCH_SIZE) {
            int b = Math.min(BATCH_SIZE, n - start);
            float[] y = new float[b];
            for (int i = 0; i < b; i++) {
                y[i] = train.labels()[order[start + i]];
            }
            try (NDManager batch = tr.getManager().newSubManager()) {
                NDArray xa;
                if (cached != null) {
                    long[] idx = new long[b];
                    for (int i = 0; i < b; i++) {
                        idx[i] = order[start + i];
                    }
                    xa = cached.get(new NDIndex("{}", batch.create(idx)));
                    xa.attach(batch);
                } else {
                    float[] x = new float[b * px];
                    for (int i = 0; i < b; i++) {
                        System.arraycopy(train.pixels(), order[start + i] * px, img, 0, px);
                        Augmenter.apply(augmentation, img, train.height(), train.width(), rnd, x, i * px);
                    }
                    xa = batch.create(x, new Shape(b, 1, train.height(), train.width()));
                    if (bottom != null) {
                        xa = bottom.forward(xa);
                    }
                }
                NDArray ya = batch.create(y);
                try (GradientCollector gc = tr.newGradientCollector()) {
                    NDList pred = tr.forward(new NDList(xa));
                    NDArray loss = tr.getLoss().evaluate(new NDList(ya), pred);
                    gc.backward(loss);
                }
                tr.step();
            }
        }
    }

    /** The images of a split as the trainable top sees them: raw, or through the frozen bottom. */
    private static NDArray inputs(NDManager m, Frozen bottom, ImageSet s) {
        NDArray x = images(m, s);
        if (bottom == null) {
            return x;
        }
        NDList parts = new NDList();
        for (int start = 0; start < s.size(); start += EVAL_BATCH) {
            parts.add(bottom.forward(x.get(start + ":" + Math.min(s.size(), start + EVAL_BATCH))));
        }
        if (parts.size() == 1) {
            x.close();
            return parts.head();
        }
        NDArray out = NDArrays.concat(parts);
        parts.close();
        x.close();
        return out;
    }

    private static NDArray images(NDManager m, ImageSet s) {
        return m.create(s.pixels(), new Shape(s.size(), 1, s.height(), s.width()));
    }

    private static double accuracy(ai.djl.training.Trainer tr, NDArray x, int[] labels) {
        int correct = 0;
        int n = labels.length;
        for (int start = 0; start < n; start += EVAL_BATCH) {
            int end = Math.min(n, start + EVAL_BATCH);
            try (NDManager scope = tr.getManager().newSubManager()) {
                NDArray chunk = x.get(start + ":" + end);
                chunk.attach(scope);
                NDArray pred = tr.evaluate(new NDList(chunk)).singletonOrThrow();
                long[] arg = pred.argMax(1).toLongArray();
                for (int i = 0; i < arg.length; i++) {
                    if (arg[i] == labels[start + i]) {
                        correct++;
                    }
                }
            }
        }
        return (double) correct / n;
    }

    /** Xavier-uniform head from a Java random stream, so head initialisation never depends on global engine state. */
    private static void initHead(SequentialBlock net, long seed) {
        Random rnd = new Random(mix(seed, -1));
        for (Pair<String, Parameter> p : Backbone.head(net).getParameters()) {
            NDArray a = p.getValue().getArray();
            float[] v = new float[(int) a.size()];
            if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                long[] s = a.getShape().getShape();
                double bound = Math.sqrt(6.0 / (s[0] + s[1]));
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
                }
            }
            a.set(FloatBuffer.wrap(v));
        }
    }

    static void loadBackbone(SequentialBlock net, NDManager m, byte[] weights) throws IOException,
            MalformedModelException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(weights))) {
            for (int b = 0; b < Backbone.CONV_BLOCKS; b++) {
                net.getChildren().get(b).getValue().loadParameters(m, in);
            }
        }
    }

    /** The conv blocks' parameters in the format {@link #loadBackbone} reads. */
    static byte[] saveBackbone(SequentialBlock net) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (int b = 0; b < Backbone.CONV_BLOCKS; b++) {
                net.getChildren().get(b).getValue().saveParameters(out);
            }
        }
        return bytes.toByteArray();
    }

    /** Loads a checkpoint's full network (any number of classes) and returns its conv blocks' weights. */
    static byte[] backboneOf(Path checkpoint, int numClasses) throws IOException, MalformedModelException {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            SequentialBlock net = Backbone.network(numClasses);
            net.initialize(m, DataType.FLOAT32, Backbone.INPUT);
            try (DataInputStream in = new DataInputStream(
                    new BufferedInputStream(Files.newInputStream(checkpoint.resolve(PARAMS))))) {
                net.loadParameters(m, in);
            }
            return saveBackbone(net);
        }
    }

    private static void writeCheckpoint(Path dir, TaskData data, int configId, HyperParams hp, long seed,
                                        Block net, ResumableOptimizer optimizer, List<Double> val,
                                        List<Double> test, List<Double> secs) throws IOException {
        Files.createDirectories(dir);
        Path params = dir.resolve(PARAMS + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(params)))) {
            net.saveParameters(out);
        }
        Path opt = dir.resolve(OPTIMIZER + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(opt)))) {
            optimizer.save(out);
        }
        ObjectMapper om = new ObjectMapper();
        ObjectNode s = om.createObjectNode();
        s.put("task", data.id());
        s.put("classes", data.numClasses());
        s.put("config", configId);
        s.put("seed", seed);
        s.putPOJO("hyperparams", hp);
        s.put("epochs", val.size());
        val.forEach(s.putArray("val_top1")::add);
        test.forEach(s.putArray("test_top1")::add);
        secs.forEach(s.putArray("seconds")::add);
        Path state = dir.resolve(STATE + ".tmp");
        om.writerWithDefaultPrettyPrinter().writeValue(state.toFile(), s);
        // The state file goes last: a checkpoint without it was never completed and is not resumed from.
        Files.move(params, dir.resolve(PARAMS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(opt, dir.resolve(OPTIMIZER), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(state, dir.resolve(STATE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void readCheckpoint(Path dir, TaskData data, int configId, HyperParams hp, long seed,
                                       Block net, ResumableOptimizer optimizer, NDManager m, List<Double> val,
                                       List<Double> test, List<Double> secs) throws IOException,
            MalformedModelException {
        Path state = dir.resolve(STATE);
        if (!Files.isRegularFile(state)) {
            throw new IOException(dir + ": no completed checkpoint (" + STATE + " missing)");
        }
        JsonNode s = new ObjectMapper().readTree(state.toFile());
        HyperParams saved = new ObjectMapper().treeToValue(s.path("hyperparams"), HyperParams.class);
        if (!s.path("task").asText().equals(data.id()) || s.path("config").asInt() != configId
                || s.path("seed").asLong() != seed || s.path("classes").asInt() != data.numClasses()
                || !saved.equals(hp)) {
            throw new IllegalArgumentException(dir + ": checkpoint is of task " + s.path("task").asText()
                    + ", configuration " + s.path("config").asInt() + " " + saved + ", seed " + s.path("seed").asLong()
                    + "; cannot resume it as task " + data.id() + ", configuration " + configId + " " + hp
                    + ", seed " + seed);
        }
        try (DataInputStream in = new DataInputStream(
                new BufferedInputStream(Files.newInputStream(dir.resolve(PARAMS))))) {
            net.loadParameters(m, in);
        }
        try (DataInputStream in = new DataInputStream(
                new BufferedInputStream(Files.newInputStream(dir.resolve(OPTIMIZER))))) {
            optimizer.load(in);
        }
        s.path("val_top1").forEach(v -> val.add(v.asDouble()));
        s.path("test_top1").forEach(v -> test.add(v.asDouble()));
        s.path("seconds").forEach(v -> secs.add(v.asDouble()));
        if (val.size() != s.path("epochs").asInt() || test.size() != val.size() || secs.size() != val.size()) {
            throw new IOException(state + ": curves do not match the recorded epoch count");
        }
    }

    /** A per-(seed, epoch) stream seed; SplitMix64-style so nearby epochs get unrelated streams. */
    static long mix(long seed, long epoch) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
