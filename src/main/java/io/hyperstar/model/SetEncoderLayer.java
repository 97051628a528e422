package io.hyperstar.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.nn.transformer.ScaledDotProductAttentionBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One transformer encoder layer over a set of image features (no positional encoding, so the output is
 * permutation-equivariant): multi-head self-attention and a feed-forward block, each with a residual and LayerNorm.
 * <p>
 * DJL's own {@code TransformerEncoderBlock} is not used: in 0.36 it normalises with BatchNorm over (sets x images),
 * which in training mode removes the per-feature mean of the set, so the batch-wise mean that follows would be the
 * same vector for every task; it also feeds the layer input, not the normalised attention output, to its second
 * residual.
 */
public final class SetEncoderLayer extends AbstractBlock {

    private final int embedding;
    private final ScaledDotProductAttentionBlock attention;
    private final LayerNorm attentionNorm;
    private final Linear hidden;
    private final Linear output;
    private final LayerNorm outputNorm;

    public SetEncoderLayer(int embedding, int heads, int feedForward) {
        this.embedding = embedding;
        // No dropout: with ~64 tokens a set is small, and deterministic training makes ranking reproducible.
        attention = addChildBlock("attention", ScaledDotProductAttentionBlock.builder().setEmbeddingSize(embedding)
                .setHeadCount(heads).optAttentionProbsDropoutProb(0f).build());
        attentionNorm = addChildBlock("attentionNorm", LayerNorm.builder().axis(1).build());
        hidden = addChildBlock("hidden", Linear.builder().setUnits(feedForward).build());
        output = addChildBlock("output", Linear.builder().setUnits(embedding).build());
        outputNorm = addChildBlock("outputNorm", LayerNorm.builder().axis(1).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.head();
        Shape shape = x.getShape();
        NDArray att = attention.forward(ps, new NDList(x), training).head();
        NDArray flat = x.add(att).reshape(-1, embedding);
        NDArray a = attentionNorm.forward(ps, new NDList(flat), training).head();
        NDArray ff = output.forward(ps, new NDList(Activation.relu(
                hidden.forward(ps, new NDList(a), training).head())), training).head();
        NDArray out = outputNorm.forward(ps, new NDList(a.add(ff)), training).head();
        return new NDList(out.reshape(shape));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        attention.initialize(manager, dataType, inputShapes[0]);
        Shape flat = new Shape(-1, embedding);
        attentionNorm.initialize(manager, dataType, flat);
        hidden.initialize(manager, dataType, flat);
        output.initialize(manager, dataType, hidden.getOutputShapes(new Shape[] {flat}));
        outputNorm.initialize(manager, dataType, flat);
    }
}
