package io.hyperstar.train;

import io.hyperstar.space.ConfigSpace;

/** The trainer's reading of one configuration of the space: typed values, checked once. */
public record HyperParams(float learningRate, String optimizer, int finetuneLayers, String augmentation) {

    public HyperParams {
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
        if (!optimizer.equals("sgd") && !optimizer.equals("adam")) {
            throw new IllegalArgumentException("optimizer must be sgd or adam, got " + optimizer);
        }
        if (finetuneLayers < 1 || finetuneLayers > Backbone.LAYERS) {
            throw new IllegalArgumentException("finetune_layers must be 1.." + Backbone.LAYERS + ", got "
                    + finetuneLayers);
        }
        Augmenter.check(augmentation);
    }

    public static HyperParams of(ConfigSpace.Config c) {
        try {
            return new HyperParams(Float.parseFloat(c.get("learning_rate")), c.get("optimizer"),
                    Integer.parseInt(c.get("finetune_layers")), c.get("augmentation"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration " + c.id() + " has a non-numeric value: "
                    + e.getMessage(), e);
        }
    }
}
