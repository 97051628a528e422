package io.hyperstar.train;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The small CNN every trial fine-tunes: three conv blocks (the pre-trained backbone, the role ImageNet plays in the
 * paper) and a linear head made new for each task. "Layers" counted from the top: 1 = head, 2 = head + block 3, ...
 */
public final class Backbone {

    /** Trainable units, top to bottom: head, conv3, conv2, conv1. */
    public static final int LAYERS = 4;
    public static final int CONV_BLOCKS = 3;
    static final int[] CHANNELS = {16, 32, 32};
    public static final Shape INPUT = new Shape(1, 1, 28, 28);
    public static final String RESOURCE = "/backbone/backbone.params";

    private Backbone() {
    }

    /** A fresh network: the three conv blocks, a flatten, and a head with one output per class. */
    public static SequentialBlock network(int numClasses) {
        SequentialBlock net = new SequentialBlock();
        for (int c : CHANNELS) {
            net.add(new SequentialBlock()
                    .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(c)
                            .build())
                    .add(Activation::relu)
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2))));
        }
        net.add(Blocks.batchFlattenBlock());
        net.add(Linear.builder().setUnits(numClasses).build());
        return net;
    }

    /** The block for trainable unit k counted from the top (0 = head). */
    static Block unitFromTop(SequentialBlock net, int k) {
        int index = k == 0 ? CONV_BLOCKS + 1 : CONV_BLOCKS - k;
        return net.getChildren().get(index).getValue();
    }

    static Block head(SequentialBlock net) {
        return net.getChildren().get(CONV_BLOCKS + 1).getValue();
    }

    /** The bundled pre-trained weights of the conv blocks, checked against their SHA-256 file. */
    public static byte[] bundledWeights() {
        try (InputStream in = Backbone.class.getResourceAsStream(RESOURCE);
             InputStream sum = Backbone.class.getResourceAsStream(RESOURCE + ".sha256")) {
            if (in == null || sum == null) {
                throw new IllegalStateException(RESOURCE + " or its .sha256 is missing from the classpath; "
                        + "train it with io.hyperstar.train.BackbonePretrainer");
            }
            return verified(RESOURCE, in.readAllBytes(), new String(sum.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** Returns the weights if their SHA-256 matches the first word of {@code checksumLine} (sha256sum format). */
    static byte[] verified(String name, byte[] weights, String checksumLine) {
        String expected = checksumLine.trim().split("\\s+")[0];
        String actual = sha256(weights);
        if (!actual.equalsIgnoreCase(expected)) {
            throw new IllegalStateException(name + " is corrupt: SHA-256 " + actual + ", expected " + expected);
        }
        return weights;
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
