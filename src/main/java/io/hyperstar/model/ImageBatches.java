package io.hyperstar.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.hyperstar.catalog.ImageSet;

import java.util.Random;

/** Samples image batches of a task the way the paper does: B batches of N images, each drawn at random. */
public final class ImageBatches {

    private ImageBatches() {
    }

    /**
     * Indices of {@code batches} batches of {@code perBatch} images: without replacement inside a batch when the
     * task has enough images, with replacement otherwise (low-data tasks still give full-size batches).
     */
    public static int[][] sample(int size, int batches, int perBatch, Random rnd) {
        if (size < 1) {
            throw new IllegalArgumentException("a task needs at least one image");
        }
        int[][] out = new int[batches][perBatch];
        int[] pool = new int[size];
        for (int b = 0; b < batches; b++) {
            if (size >= perBatch) {
                for (int i = 0; i < size; i++) {
                    pool[i] = i;
                }
                // Partial Fisher-Yates: the first perBatch entries are a uniform sample without replacement.
                for (int i = 0; i < perBatch; i++) {
                    int j = i + rnd.nextInt(size - i);
                    int tmp = pool[i];
                    pool[i] = pool[j];
                    pool[j] = tmp;
                    out[b][i] = pool[i];
                }
            } else {
                for (int i = 0; i < perBatch; i++) {
                    out[b][i] = rnd.nextInt(size);
                }
            }
        }
        return out;
    }

    /** What runs on one chunk of a task's images: the chunk as (n, 1, H, W) and the index of its first image. */
    @FunctionalInterface
    public interface Chunk {
        void accept(ParameterStore ps, NDArray images, int from);
    }

    /**
     * Runs {@code f} over all of a task's images, {@code chunk} at a time, each chunk in its own sub-manager of
     * {@code parent}: a pass over every image (cached features, a global mean) without holding them all as arrays.
     */
    public static void inChunks(NDManager parent, ImageSet images, int chunk, Chunk f) {
        for (int from = 0; from < images.size(); from += chunk) {
            int to = Math.min(images.size(), from + chunk);
            try (NDManager m = parent.newSubManager()) {
                float[] px = java.util.Arrays.copyOfRange(images.pixels(), from * images.pixelsPerImage(),
                        to * images.pixelsPerImage());
                f.accept(new ParameterStore(m, false), m.create(px, new Shape(to - from, 1, images.height(),
                        images.width())), from);
            }
        }
    }

    /** Pixels of the sampled images, batch after batch, ready for an (B, N, 1, H, W) array. */
    public static float[] pixels(ImageSet images, int[][] batches) {
        int n = images.pixelsPerImage();
        int count = batches.length * batches[0].length;
        float[] out = new float[count * n];
        int k = 0;
        for (int[] batch : batches) {
            for (int idx : batch) {
                System.arraycopy(images.pixels(), idx * n, out, k * n, n);
                k++;
            }
        }
        return out;
    }
}
