package io.hyperstar.catalog;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reads and writes an image folder: one sub-folder per class (named as the class), PNG or JPEG files inside; the
 * second dataset format the service accepts. Images of another size are scaled to the requested one.
 */
public final class ImageFolderFormat {

    private ImageFolderFormat() {
    }

    /**
     * Reads {@code root/<class>/*.png|jpg|jpeg}; the label is the class's index in {@code classes}. A sub-folder that
     * is not a declared class is an error (its label would be out of range), and so is a file that is not an image.
     */
    public static ImageSet read(Path root, List<String> classes, int height, int width) throws DatasetException {
        List<java.util.Map.Entry<Path, Integer>> listed = list(root, classes);
        return readSome(listed, java.util.stream.IntStream.range(0, listed.size()).toArray(), height, width);
    }

    /**
     * The images of {@code root} in reading order (class folders, then files, each sorted), with their labels,
     * without decoding any. A sub-folder that is not a declared class is an error (its label would be out of range).
     */
    public static List<java.util.Map.Entry<Path, Integer>> list(Path root, List<String> classes) throws DatasetException {
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root + ": no such image folder");
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new DatasetException(root + ": cannot list image folder: " + e.getMessage(), e);
        }
        List<java.util.Map.Entry<Path, Integer>> out = new ArrayList<>();
        for (Path dir : dirs) {
            String name = dir.getFileName().toString();
            int label = classes.indexOf(name);
            if (label < 0) {
                throw new DatasetException(dir + ": class folder '" + name + "' is not one of the " + classes.size()
                        + " declared classes (label out of range)");
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(Files::isRegularFile).sorted().forEach(f -> out.add(java.util.Map.entry(f, label)));
            } catch (IOException e) {
                throw new DatasetException(dir + ": cannot list class folder: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Only the listed images at the given indices, in that order (repeats allowed), scaled to height x width. */
    public static ImageSet readSome(List<java.util.Map.Entry<Path, Integer>> listed, int[] indices, int height, int width)
            throws DatasetException {
        float[] px = new float[indices.length * height * width];
        int[] lb = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            java.util.Map.Entry<Path, Integer> e = listed.get(indices[k]);
            System.arraycopy(readImage(e.getKey(), height, width), 0, px, k * height * width, height * width);
            lb[k] = e.getValue();
        }
        return new ImageSet(height, width, px, lb);
    }

    /** Writes each image as an 8-bit grayscale PNG under {@code root/<class>/}. */
    public static void write(ImageSet set, List<String> classes, Path root) throws IOException {
        for (String c : classes) {
            Files.createDirectories(root.resolve(c));
        }
        for (int i = 0; i < set.size(); i++) {
            BufferedImage img = new BufferedImage(set.width(), set.height(), BufferedImage.TYPE_BYTE_GRAY);
            float[] px = set.image(i);
            byte[] raster = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int p = 0; p < px.length; p++) {
                raster[p] = (byte) Math.round(Math.max(0f, Math.min(1f, px[p])) * 255f);
            }
            Path f = root.resolve(classes.get(set.labels()[i])).resolve(String.format("%05d.png", i));
            ImageIO.write(img, "png", f.toFile());
        }
    }

    private static float[] readImage(Path f, int height, int width) throws DatasetException {
        BufferedImage img;
        try {
            img = ImageIO.read(f.toFile());
        } catch (IOException e) {
            throw new DatasetException(f + ": unreadable image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new DatasetException(f + ": not a PNG or JPEG image");
        }
        BufferedImage gray = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = gray.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        byte[] raster = ((java.awt.image.DataBufferByte) gray.getRaster().getDataBuffer()).getData();
        float[] px = new float[width * height];
        for (int p = 0; p < px.length; p++) {
            px[p] = (raster[p] & 0xff) / 255f;
        }
        return px;
    }
}
