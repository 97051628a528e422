package io.hyperstar.catalog;

import java.util.Random;

/**
 * Pixel operations on one square-ish grayscale image (row-major floats in [0, 1]), shared by the task corruptions
 * and the trainer's augmentation so both stay seeded and engine-free.
 */
public final class ImageOps {

    private ImageOps() {
    }

    public static float[] flipHorizontal(float[] img, int h, int w) {
        float[] out = new float[img.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[y * w + x] = img[y * w + (w - 1 - x)];
            }
        }
        return out;
    }

    /** Translates by (dx, dy) pixels, repeating the border so inverted images keep their background. */
    public static float[] shift(float[] img, int h, int w, int dx, int dy) {
        float[] out = new float[img.length];
        for (int y = 0; y < h; y++) {
            int sy = Math.min(h - 1, Math.max(0, y - dy));
            for (int x = 0; x < w; x++) {
                int sx = Math.min(w - 1, Math.max(0, x - dx));
                out[y * w + x] = img[sy * w + sx];
            }
        }
        return out;
    }

    /** Rotates about the centre (bilinear); pixels from outside take the value of the top-left corner (background). */
    public static float[] rotate(float[] img, int h, int w, double degrees) {
        float fill = img[0];
        double a = Math.toRadians(degrees);
        double cos = Math.cos(a);
        double sin = Math.sin(a);
        double cy = (h - 1) / 2.0;
        double cx = (w - 1) / 2.0;
        float[] out = new float[img.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double sx = cos * (x - cx) + sin * (y - cy) + cx;
                double sy = -sin * (x - cx) + cos * (y - cy) + cy;
                out[y * w + x] = bilinear(img, h, w, sx, sy, fill);
            }
        }
        return out;
    }

    public static float[] invert(float[] img) {
        float[] out = new float[img.length];
        for (int i = 0; i < img.length; i++) {
            out[i] = 1f - img[i];
        }
        return out;
    }

    public static float[] gaussianNoise(float[] img, double sigma, Random rnd) {
        float[] out = new float[img.length];
        for (int i = 0; i < img.length; i++) {
            out[i] = clamp((float) (img[i] + sigma * rnd.nextGaussian()));
        }
        return out;
    }

    /** Separable Gaussian blur, kernel radius 2. */
    public static float[] blur(float[] img, int h, int w, double sigma) {
        double[] k = new double[5];
        double sum = 0;
        for (int i = -2; i <= 2; i++) {
            k[i + 2] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + 2];
        }
        float[] tmp = new float[img.length];
        float[] out = new float[img.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = 0;
                for (int i = -2; i <= 2; i++) {
                    v += k[i + 2] * img[y * w + Math.min(w - 1, Math.max(0, x + i))];
                }
                tmp[y * w + x] = (float) (v / sum);
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = 0;
                for (int i = -2; i <= 2; i++) {
                    v += k[i + 2] * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x];
                }
                out[y * w + x] = (float) (v / sum);
            }
        }
        return out;
    }

    /** Paints a size x size square of mid grey at a random place (a sticker over the object). */
    public static float[] occlude(float[] img, int h, int w, int size, Random rnd) {
        float[] out = img.clone();
        int y0 = rnd.nextInt(h - size + 1);
        int x0 = rnd.nextInt(w - size + 1);
        for (int y = y0; y < y0 + size; y++) {
            for (int x = x0; x < x0 + size; x++) {
                out[y * w + x] = 0.5f;
            }
        }
        return out;
    }

    private static float bilinear(float[] img, int h, int w, double x, double y, float fill) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        double v = (1 - fx) * (1 - fy) * at(img, h, w, x0, y0, fill) + fx * (1 - fy) * at(img, h, w, x0 + 1, y0, fill)
                + (1 - fx) * fy * at(img, h, w, x0, y0 + 1, fill) + fx * fy * at(img, h, w, x0 + 1, y0 + 1, fill);
        return (float) v;
    }

    private static float at(float[] img, int h, int w, int x, int y, float fill) {
        return x < 0 || y < 0 || x >= w || y >= h ? fill : img[y * w + x];
    }

    private static float clamp(float v) {
        return Math.max(0f, Math.min(1f, v));
    }
}
