package io.hyperstar.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One image-classification task as the trainer sees it: classes and the train / validation / test splits. On disk a
 * task is a folder with a {@code task.json} manifest and its splits in IDX or image-folder format.
 */
public record TaskData(String id, String source, String recipe, List<String> classes, ImageSet train, ImageSet val,
                       ImageSet test) {

    public static final String MANIFEST = "task.json";
    public static final List<String> SPLITS = List.of("train", "val", "test");

    /** On-disk layouts of a task's splits. */
    public enum Format { IDX, FOLDER }

    public TaskData {
        classes = List.copyOf(classes);
        for (ImageSet s : List.of(train, val, test)) {
            if (s.maxLabelPlusOne() > classes.size()) {
                throw new IllegalArgumentException("task " + id + ": label out of range for " + classes.size()
                        + " classes");
            }
        }
    }

    public int numClasses() {
        return classes.size();
    }

    public ImageSet split(String name) {
        return switch (name) {
            case "train" -> train;
            case "val" -> val;
            case "test" -> test;
            default -> throw new IllegalArgumentException("no split " + name);
        };
    }

    /**
     * Loads a task folder: one written by {@link #save} (with its manifest), or a bare dataset without a manifest in
     * either accepted layout (IDX: {@code <split>-images-idx3-ubyte[.gz]} and {@code <split>-labels-idx1-ubyte[.gz]};
     * image folder: {@code <split>/<class>/*.png}) for the splits train, val and test. Corrupt or inconsistent
     * content fails with a message naming the file.
     */
    public static TaskData load(Path dir) throws DatasetException {
        if (!Files.exists(dir.resolve(MANIFEST))) {
            return loadBare(dir);
        }
        Manifest m = readManifest(dir);
        ImageSet[] splits = new ImageSet[3];
        for (int k = 0; k < 3; k++) {
            String s = SPLITS.get(k);
            splits[k] = switch (m.format()) {
                case IDX -> IdxFormat.read(dir.resolve(s + "-images-idx3-ubyte.gz"),
                        dir.resolve(s + "-labels-idx1-ubyte.gz"), m.classes().size());
                case FOLDER -> ImageFolderFormat.read(dir.resolve(s), m.classes(), m.height(), m.width());
            };
            if (splits[k].size() == 0) {
                throw new DatasetException(dir + ": split '" + s + "' is empty");
            }
        }
        return new TaskData(m.id(), m.source(), m.recipe(), m.classes(), splits[0], splits[1], splits[2]);
    }

    /** What a task's manifest declares. */
    private record Manifest(String id, String source, String recipe, List<String> classes, int height, int width,
                            Format format) {
    }

    private static Manifest readManifest(Path dir) throws DatasetException {
        Path manifest = dir.resolve(MANIFEST);
        JsonNode m;
        try {
            m = new ObjectMapper().readTree(manifest.toFile());
        } catch (IOException e) {
            throw new DatasetException(manifest + ": missing or unreadable task manifest: " + e.getMessage(), e);
        }
        List<String> classes = new ArrayList<>();
        m.path("classes").forEach(c -> classes.add(c.asText()));
        if (classes.isEmpty()) {
            throw new DatasetException(manifest + ": no classes declared");
        }
        Format format;
        try {
            format = Format.valueOf(m.path("format").asText("").toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new DatasetException(manifest + ": format must be 'idx' or 'folder', got '"
                    + m.path("format").asText() + "'");
        }
        return new Manifest(m.path("id").asText(dir.getFileName().toString()), m.path("source").asText(""),
                m.path("recipe").asText(""), classes, m.path("height").asInt(28), m.path("width").asInt(28), format);
    }

    /**
     * A task's training split opened for sampling: its size and image shape, read without its pixels, and a reader of
     * only the images asked for. What the recommender needs: a few hundred images of a dataset of any size, where
     * {@link #load} would hold every image of every split in memory.
     */
    public record TrainSplit(Format format, int size, int height, int width, int classes, Reader reader) {

        /** Reads the images at the given indices, in that order (repeats allowed). */
        @FunctionalInterface
        public interface Reader {
            ImageSet read(int[] indices) throws DatasetException;
        }

        public ImageSet read(int[] indices) throws DatasetException {
            return reader.read(indices);
        }
    }

    /** The training split of a task folder laid out as {@link #load} reads it, opened for {@link TrainSplit sampling}. */
    public static TrainSplit openTrain(Path dir) throws DatasetException {
        Format format;
        List<String> classes;
        int height = 28;
        int width = 28;
        Path images = idx(dir, "train", "images");
        Path labels = idx(dir, "train", "labels");
        int classCount;
        if (Files.exists(dir.resolve(MANIFEST))) {
            Manifest m = readManifest(dir);
            format = m.format();
            classes = m.classes();
            classCount = classes.size();
            height = m.height();
            width = m.width();
            images = dir.resolve("train-images-idx3-ubyte.gz");
            labels = dir.resolve("train-labels-idx1-ubyte.gz");
        } else if (Files.isRegularFile(images)) {
            format = Format.IDX;
            classes = List.of();
            // As the loader counts a bare IDX task's classes: the highest label of any split, plus one.
            int most = 0;
            for (String split : SPLITS) {
                Path labelFile = idx(dir, split, "labels");
                if (Files.isRegularFile(labelFile)) {
                    most = Math.max(most, IdxFormat.labelCount(labelFile));
                }
            }
            classCount = most;
        } else if (Files.isDirectory(dir.resolve("train"))) {
            format = Format.FOLDER;
            classes = bareClasses(dir);
            classCount = classes.size();
        } else {
            throw new DatasetException(dir + ": not a dataset: expected " + MANIFEST
                    + ", IDX files (train-images-idx3-ubyte[.gz], ...) or image folders (train/<class>/*.png, ...)");
        }
        TrainSplit split;
        if (format == Format.IDX) {
            int[] shape = IdxFormat.imageShape(images);
            Path im = images;
            Path lb = labels;
            split = new TrainSplit(format, shape[0], shape[1], shape[2], classCount, indices -> IdxFormat.readSome(im, lb, indices));
        } else {
            var listed = ImageFolderFormat.list(dir.resolve("train"), classes);
            int h = height;
            int w = width;
            split = new TrainSplit(format, listed.size(), h, w, classCount, indices -> ImageFolderFormat.readSome(listed, indices, h, w));
        }
        if (split.size() == 0) {
            throw new DatasetException(dir + ": split 'train' is empty");
        }
        return split;
    }

    /** A bare image-folder task's classes: every class folder of any split, sorted. */
    private static List<String> bareClasses(Path dir) throws DatasetException {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (String s : SPLITS) {
            try (java.util.stream.Stream<Path> list = Files.list(dir.resolve(s))) {
                list.filter(Files::isDirectory).forEach(p -> names.add(p.getFileName().toString()));
            } catch (IOException e) {
                throw new DatasetException(dir.resolve(s) + ": missing or unreadable split folder", e);
            }
        }
        return List.copyOf(names);
    }

    private static TaskData loadBare(Path dir) throws DatasetException {
        String id = dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
        if (Files.isRegularFile(idx(dir, "train", "images"))) {
            ImageSet[] splits = new ImageSet[3];
            for (int k = 0; k < 3; k++) {
                String s = SPLITS.get(k);
                splits[k] = IdxFormat.read(idx(dir, s, "images"), idx(dir, s, "labels"), 256);
            }
            int classes = Math.max(splits[0].maxLabelPlusOne(),
                    Math.max(splits[1].maxLabelPlusOne(), splits[2].maxLabelPlusOne()));
            List<String> names = new ArrayList<>();
            for (int c = 0; c < classes; c++) {
                names.add(Integer.toString(c));
            }
            return new TaskData(id, "idx", "", names, splits[0], splits[1], splits[2]);
        }
        if (Files.isDirectory(dir.resolve("train"))) {
            List<String> classes = bareClasses(dir);
            return new TaskData(id, "folder", "", classes, ImageFolderFormat.read(dir.resolve("train"), classes, 28, 28),
                    ImageFolderFormat.read(dir.resolve("val"), classes, 28, 28),
                    ImageFolderFormat.read(dir.resolve("test"), classes, 28, 28));
        }
        throw new DatasetException(dir + ": not a dataset: expected " + MANIFEST
                + ", IDX files (train-images-idx3-ubyte[.gz], ...) or image folders (train/<class>/*.png, ...)");
    }

    /** The IDX file of a split, gzipped or plain, whichever exists (gzipped when neither does). */
    private static Path idx(Path dir, String split, String kind) {
        String name = split + "-" + kind + (kind.equals("images") ? "-idx3-ubyte" : "-idx1-ubyte");
        Path plain = dir.resolve(name);
        return Files.exists(plain) ? plain : dir.resolve(name + ".gz");
    }

    /** Writes the task under {@code dir} in the given format, manifest last so a half-written task never loads. */
    public void save(Path dir, Format format) throws IOException {
        Files.createDirectories(dir);
        for (String s : SPLITS) {
            switch (format) {
                case IDX -> IdxFormat.write(split(s), dir.resolve(s + "-images-idx3-ubyte.gz"),
                        dir.resolve(s + "-labels-idx1-ubyte.gz"));
                case FOLDER -> ImageFolderFormat.write(split(s), classes, dir.resolve(s));
            }
        }
        ObjectMapper om = new ObjectMapper();
        ObjectNode m = om.createObjectNode();
        m.put("id", id);
        m.put("source", source);
        m.put("recipe", recipe);
        m.put("format", format.name().toLowerCase());
        m.put("height", train.height());
        m.put("width", train.width());
        classes.forEach(m.putArray("classes")::add);
        m.put("train", train.size());
        m.put("val", val.size());
        m.put("test", test.size());
        Path tmp = dir.resolve(MANIFEST + ".tmp");
        om.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), m);
        Files.move(tmp, dir.resolve(MANIFEST), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
