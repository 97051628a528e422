package io.hyperstar.train;

import io.hyperstar.catalog.ImageOps;

import java.util.List;
import java.util.Random;

/**
 * The augmentation policies of the configuration space, applied in Java to each training image so that an epoch's
 * augmentation depends only on the random stream the trainer derives from (seed, epoch).
 */
public final class Augmenter {

    /** none; flip: horizontal mirror half the time; shift: up to 3 px in x and y; rotate: up to 15 degrees. */
    public static final List<String> POLICIES = List.of("none", "flip", "shift", "rotate");

    private Augmenter() {
    }

    static void check(String policy) {
        if (!POLICIES.contains(policy)) {
            throw new IllegalArgumentException("augmentation must be one of " + POLICIES + ", got " + policy);
        }
    }

    /** Writes the (possibly) augmented image into {@code out} at {@code offset}. */
    static void apply(String policy, float[] img, int h, int w, Random rnd, float[] out, int offset) {
        float[] r = switch (policy) {
            case "none" -> img;
            case "flip" -> rnd.nextBoolean() ? ImageOps.flipHorizontal(img, h, w) : img;
            case "shift" -> ImageOps.shift(img, h, w, rnd.nextInt(7) - 3, rnd.nextInt(7) - 3);
            case "rotate" -> ImageOps.rotate(img, h, w, (rnd.nextDouble() * 2 - 1) * 15);
            default -> throw new IllegalArgumentException("unknown augmentation " + policy);
        };
        System.arraycopy(r, 0, out, offset, r.length);
    }
}
