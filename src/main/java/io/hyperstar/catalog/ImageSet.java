package io.hyperstar.catalog;

import java.util.Arrays;

/** Grayscale images of one size with their labels, pixels in [0, 1], row-major, image after image. */
public record ImageSet(int height, int width, float[] pixels, int[] labels) {

    public ImageSet {
        if (pixels.length != (long) labels.length * height * width) {
            throw new IllegalArgumentException("pixels hold " + pixels.length + " values, expected "
                    + labels.length + " x " + height + " x " + width);
        }
    }

    public int size() {
        return labels.length;
    }

    public int pixelsPerImage() {
        return height * width;
    }

    /** A copy of image i. */
    public float[] image(int i) {
        int n = pixelsPerImage();
        return Arrays.copyOfRange(pixels, i * n, (i + 1) * n);
    }

    /** The images at the given indices, in that order. */
    public ImageSet select(int[] indices) {
        int n = pixelsPerImage();
        float[] px = new float[indices.length * n];
        int[] lb = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * n, px, k * n, n);
            lb[k] = labels[indices[k]];
        }
        return new ImageSet(height, width, px, lb);
    }

    /** Highest label + 1 (0 when empty). */
    public int maxLabelPlusOne() {
        int m = -1;
        for (int l : labels) {
            m = Math.max(m, l);
        }
        return m + 1;
    }
}
