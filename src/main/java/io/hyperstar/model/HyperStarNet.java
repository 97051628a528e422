package io.hyperstar.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.hyperstar.train.Backbone;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;

/**
 * The HyperSTAR network (paper section 3.1): task encoder g (frozen lower conv blocks of the source backbone, its
 * trainable top conv block, a projection, a set transformer layer and the batch-wise mean), configuration encoder h
 * (MLP over the one-hot encoding), predictor f(t, s) and the discriminator D of the adversarial regulariser.
 * <p>
 * Inputs of {@link #forward}: images (S sets, N images, 1, H, W) and one-hot configurations (C, width); output:
 * the (S, C) matrix of predicted normalised scores, every configuration against every set in one pass.
 */
public final class HyperStarNet extends AbstractBlock {

    /** Output of the frozen stem for a 28x28 image: conv blocks 1-2 leave 32 channels at 7x7. */
    public static final Shape STEM_OUT = new Shape(32, 7, 7);

    /** Size of the flattened output of all three conv blocks for a 28x28 image. */
    public static final int BACKBONE_FEATURES = 288;

    private final Architecture arch;
    private final SequentialBlock stem;
    private final Block topConv;
    private final Linear projection;
    private final SetEncoderLayer setLayer;
    private final SequentialBlock configEncoder;
    private final SequentialBlock predictor;
    private final SequentialBlock discriminator;

    public HyperStarNet(Architecture arch) {
        this.arch = arch;
        // The same conv blocks as the trainer's backbone, so its pre-trained weights load as they are.
        SequentialBlock backbone = Backbone.network(1);
        stem = addChildBlock("stem", new SequentialBlock()
                .add(backbone.getChildren().get(0).getValue())
                .add(backbone.getChildren().get(1).getValue()));
        topConv = addChildBlock("topConv", backbone.getChildren().get(2).getValue());
        projection = addChildBlock("projection", Linear.builder().setUnits(arch.embedding()).build());
        setLayer = addChildBlock("setLayer", new SetEncoderLayer(arch.embedding(), arch.heads(), arch.feedForward()));
        configEncoder = addChildBlock("configEncoder", new SequentialBlock()
                .add(Linear.builder().setUnits(arch.hidden()).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(arch.embedding()).build()));
        predictor = addChildBlock("predictor", new SequentialBlock()
                .add(Linear.builder().setUnits(arch.hidden()).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(arch.hidden()).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(1).build()));
        discriminator = addChildBlock("discriminator", new SequentialBlock()
                .add(Linear.builder().setUnits(arch.hidden()).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(1).build()));
    }

    public Architecture architecture() {
        return arch;
    }

    /** The frozen lower conv blocks; their output can be computed once per image and cached. */
    public Block stem() {
        return stem;
    }

    public Block discriminator() {
        return discriminator;
    }

    /** Initialises every parameter, then loads the source backbone's conv blocks (format of the trainer's file). */
    public void initialize(NDManager manager, int configWidth, byte[] backboneWeights) {
        initialize(manager, DataType.FLOAT32, new Shape(1, 2, 1, 28, 28), new Shape(1, configWidth));
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(backboneWeights))) {
            for (Block block : new Block[] {stem.getChildren().get(0).getValue(),
                stem.getChildren().get(1).getValue(), topConv}) {
                block.loadParameters(manager, in);
            }
        } catch (IOException | MalformedModelException e) {
            throw new IllegalStateException("cannot load the backbone weights: " + e.getMessage(), e);
        }
        stem.freezeParameters(true);
    }

    /** Stem features of images (M, 1, H, W) -> (M, 32, 7, 7); never trained. */
    public NDArray stemFeatures(ParameterStore ps, NDArray images) {
        return stem.forward(ps, new NDList(images), false).head();
    }

    /**
     * Features of the source backbone's three conv blocks as they are (M, 1, H, W) -> (M, 288); on an untrained
     * network this is the frozen backbone, the "global mean features" baseline's image representation.
     */
    public NDArray backboneFeatures(ParameterStore ps, NDArray images) {
        NDArray x = topConv.forward(ps, new NDList(stemFeatures(ps, images)), false).head();
        return x.reshape(x.getShape().get(0), -1);
    }

    /** Task embeddings of S sets of N stem-feature maps (S, N, 32, 7, 7) -> (S, d): encoder, set layer, mean. */
    public NDArray taskEmbeddings(ParameterStore ps, NDArray stemFeatures, boolean training) {
        Shape s = stemFeatures.getShape();
        long sets = s.get(0);
        long n = s.get(1);
        NDArray x = stemFeatures.reshape(new Shape(sets * n).addAll(s.slice(2)));
        x = topConv.forward(ps, new NDList(x), training).head();
        return embedBackboneFeatures(ps, x.reshape(sets, n, -1), training);
    }

    /**
     * Task embeddings of S sets of N backbone features (S, N, 288), the top conv block's flattened output -> (S, d):
     * projection, set layer, mean. Meta-training with a frozen top conv block caches these features per image.
     */
    public NDArray embedBackboneFeatures(ParameterStore ps, NDArray features, boolean training) {
        Shape s = features.getShape();
        NDArray x = features.reshape(s.get(0) * s.get(1), -1);
        x = Activation.relu(projection.forward(ps, new NDList(x), training).head());
        x = setLayer.forward(ps, new NDList(x.reshape(s.get(0), s.get(1), arch.embedding())), training).head();
        return x.mean(new int[] {1});
    }

    /** The trainable top conv block of the backbone. */
    public Block topConv() {
        return topConv;
    }

    /** Configuration embeddings of one-hot encodings (C, width) -> (C, d). */
    public NDArray configEmbeddings(ParameterStore ps, NDArray oneHot, boolean training) {
        return configEncoder.forward(ps, new NDList(oneHot), training).head();
    }

    /** Scores of every configuration against every task embedding: t (S, d), s (C, d) -> (S, C). */
    public NDArray scores(ParameterStore ps, NDArray t, NDArray s, boolean training) {
        long sets = t.getShape().get(0);
        long configs = s.getShape().get(0);
        long d = arch.embedding();
        NDArray tt = t.expandDims(1).broadcast(sets, configs, d);
        NDArray ss = s.expandDims(0).broadcast(sets, configs, d);
        NDArray pairs = NDArrays.concat(new NDList(tt, ss), 2).reshape(sets * configs, 2 * d);
        return predictor.forward(ps, new NDList(pairs), training).head().reshape(sets, configs);
    }

    /** Discriminator logits of task embeddings (K, d) -> (K): high = "a global (windowed) task embedding". */
    public NDArray discriminate(ParameterStore ps, NDArray t, boolean training) {
        return discriminator.forward(ps, new NDList(t), training).head().reshape(-1);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray images = inputs.get(0);
        Shape s = images.getShape();
        NDArray feats = stemFeatures(ps, images.reshape(new Shape(s.get(0) * s.get(1)).addAll(s.slice(2))));
        NDArray t = taskEmbeddings(ps, feats.reshape(new Shape(s.get(0), s.get(1)).addAll(feats.getShape().slice(1))),
                training);
        return new NDList(scores(ps, t, configEmbeddings(ps, inputs.get(1), training), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), inputShapes[1].get(0))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape img = inputShapes[0];
        Shape flatImg = new Shape(img.get(0) * img.get(1)).addAll(img.slice(2));
        stem.initialize(manager, dataType, flatImg);
        Shape stemOut = stem.getOutputShapes(new Shape[] {flatImg})[0];
        topConv.initialize(manager, dataType, stemOut);
        Shape top = topConv.getOutputShapes(new Shape[] {stemOut})[0];
        Shape flat = new Shape(top.get(0), top.size() / top.get(0));
        projection.initialize(manager, dataType, flat);
        setLayer.initialize(manager, dataType, new Shape(img.get(0), img.get(1), arch.embedding()));
        configEncoder.initialize(manager, dataType, inputShapes[1]);
        predictor.initialize(manager, dataType, new Shape(1, 2L * arch.embedding()));
        discriminator.initialize(manager, dataType, new Shape(1, arch.embedding()));
    }
}
