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
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.exists(manifest)) {
            return loadBare(dir);
        }
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
        int h = m.path("height").asInt(28);
        int w = m.path("width").asInt(28);
        Format format;
        try {
            format = Format.valueOf(m.path("format").asText("").toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new DatasetException(manifest + ": format must be 'idx' or 'folder', got '"
                    + m.path("format").asText() + "'");
        }
        ImageSet[] splits = new ImageSet[3];
        for (int k = 0; k < 3; k++) {
            String s = SPLITS.get(k);
            splits[k] = switch (format) {
                case IDX -> IdxFormat.read(dir.resolve(s + "-images-idx3-ubyte.gz"),
                        dir.resolve(s + "-labels-idx1-ubyte.gz"), classes.size());
                case FOLDER -> ImageFolderFormat.read(dir.resolve(s), classes, h, w);
            };
            if (splits[k].size() == 0) {
                throw new DatasetException(dir + ": split '" + s + "' is empty");
            }
        }
        return new TaskData(m.path("id").asText(dir.getFileName().toString()), m.path("source").asText(""),
                m.path("recipe").asText(""), classes, splits[0], splits[1], splits[2]);
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
            java.util.TreeSet<String> names = new java.util.TreeSet<>();
            for (String s : SPLITS) {
                try (java.util.stream.Stream<Path> list = Files.list(dir.resolve(s))) {
                    list.filter(Files::isDirectory).forEach(p -> names.add(p.getFileName().toString()));
                } catch (IOException e) {
                    throw new DatasetException(dir.resolve(s) + ": missing or unreadable split folder", e);
                }
            }
            List<String> classes = List.copyOf(names);
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
