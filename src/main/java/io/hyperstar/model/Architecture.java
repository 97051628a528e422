package io.hyperstar.model;

/**
 * Sizes of the HyperSTAR network; stored in the model artifact so a saved model is rebuilt with the same shapes.
 *
 * @param embedding   d, the size of the task embedding t and the configuration embedding s
 * @param heads       attention heads of the set encoder layer (must divide {@code embedding})
 * @param feedForward hidden width of the set encoder layer's feed-forward block
 * @param hidden      hidden width of the configuration encoder, the predictor and the discriminator
 */
public record Architecture(int embedding, int heads, int feedForward, int hidden) {

    public static final Architecture DEFAULT = new Architecture(64, 4, 128, 128);

    public Architecture {
        if (embedding % heads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must divide the embedding size (" + embedding
                    + ")");
        }
    }
}
