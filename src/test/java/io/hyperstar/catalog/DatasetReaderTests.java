package io.hyperstar.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two dataset formats the service accepts: round trips, and clear errors on corrupt input. */
class DatasetReaderTests {

    @TempDir
    Path dir;

    private static ImageSet sample(int n, int classes) {
        Random rnd = new Random(3);
        float[] px = new float[n * 28 * 28];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            float[] img = Shapes.render(Shapes.NAMES.get(labels[i]), rnd);
            System.arraycopy(img, 0, px, i * 784, 784);
        }
        return new ImageSet(28, 28, px, labels);
    }

    private static void assertSameImages(ImageSet actual, ImageSet expected) {
        assertThat(actual.size()).isEqualTo(expected.size());
        assertThat(actual.labels()).containsExactly(expected.labels());
        for (int i = 0; i < expected.pixels().length; i++) {
            // Both formats store 8-bit pixels.
            assertThat(actual.pixels()[i]).isCloseTo(expected.pixels()[i], org.assertj.core.data.Offset.offset(0.5f / 255));
        }
    }

    @Test
    void idxRoundTripPlainAndGzipped() throws IOException {
        ImageSet set = sample(12, 4);
        for (String suffix : List.of("", ".gz")) {
            Path img = dir.resolve("img-idx3-ubyte" + suffix);
            Path lbl = dir.resolve("lbl-idx1-ubyte" + suffix);
            IdxFormat.write(set, img, lbl);
            assertSameImages(IdxFormat.read(img, lbl, 4), set);
        }
    }

    @Test
    void truncatedIdxIsRejected() throws IOException {
        ImageSet set = sample(6, 3);
        Path img = dir.resolve("img-idx3-ubyte");
        Path lbl = dir.resolve("lbl-idx1-ubyte");
        IdxFormat.write(set, img, lbl);
        byte[] bytes = Files.readAllBytes(img);
        Files.write(img, Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> IdxFormat.read(img, lbl, 3)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("truncated").hasMessageContaining(img.toString());
        Files.write(img, Arrays.copyOf(bytes, 10));
        assertThatThrownBy(() -> IdxFormat.read(img, lbl, 3)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("truncated IDX header");
    }

    @Test
    void badMagicIsRejected() throws IOException {
        Path img = dir.resolve("img-idx3-ubyte");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(img))) {
            out.writeInt(0x89504e47); // a PNG signature where the IDX magic should be
            out.writeInt(0);
        }
        assertThatThrownBy(() -> IdxFormat.read(img, dir.resolve("missing"), 3)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("bad IDX magic 0x89504e47");
    }

    @Test
    void labelOutOfRangeIsRejected() throws IOException {
        ImageSet set = sample(6, 3);
        Path img = dir.resolve("img-idx3-ubyte.gz");
        Path lbl = dir.resolve("lbl-idx1-ubyte.gz");
        IdxFormat.write(set, img, lbl);
        assertThatThrownBy(() -> IdxFormat.read(img, lbl, 2)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("label 2 of item 2 is out of range 0..1");
    }

    @Test
    void imageCountMismatchIsRejected() throws IOException {
        Path img = dir.resolve("a-idx3-ubyte");
        Path lbl = dir.resolve("a-idx1-ubyte");
        IdxFormat.write(sample(6, 3), img, dir.resolve("unused"));
        IdxFormat.write(sample(5, 3), dir.resolve("unused2"), lbl);
        assertThatThrownBy(() -> IdxFormat.read(img, lbl, 3)).hasMessageContaining("holds 6 images but");
    }

    @Test
    void imageFolderRoundTrip() throws IOException {
        ImageSet set = sample(9, 3);
        List<String> classes = List.of("circle", "square", "triangle");
        ImageFolderFormat.write(set, classes, dir.resolve("f"));
        ImageSet back = ImageFolderFormat.read(dir.resolve("f"), classes, 28, 28);
        // The folder reader returns images grouped by class; compare as multisets per class.
        assertThat(back.size()).isEqualTo(9);
        for (int c = 0; c < 3; c++) {
            int cc = c;
            assertThat(Arrays.stream(back.labels()).filter(l -> l == cc).count()).isEqualTo(3);
        }
        assertSameImages(back.select(new int[] {0}), set.select(new int[] {0}));
    }

    @Test
    void nonImageInClassFolderIsRejected() throws IOException {
        List<String> classes = List.of("circle", "square");
        ImageFolderFormat.write(sample(4, 2), classes, dir.resolve("f"));
        Path bogus = dir.resolve("f/square/notes.png");
        Files.writeString(bogus, "this is not an image");
        assertThatThrownBy(() -> ImageFolderFormat.read(dir.resolve("f"), classes, 28, 28))
                .isInstanceOf(DatasetException.class).hasMessageContaining(bogus.toString())
                .hasMessageContaining("not a PNG or JPEG");
    }

    @Test
    void undeclaredClassFolderIsLabelOutOfRange() throws IOException {
        ImageFolderFormat.write(sample(6, 3), List.of("circle", "square", "triangle"), dir.resolve("f"));
        assertThatThrownBy(() -> ImageFolderFormat.read(dir.resolve("f"), List.of("circle", "square"), 28, 28))
                .isInstanceOf(DatasetException.class).hasMessageContaining("'triangle'")
                .hasMessageContaining("label out of range");
    }

    @Test
    void largerImagesAreScaledToTheRequestedSize() throws IOException {
        Path cls = dir.resolve("f/big");
        Files.createDirectories(cls);
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(56, 56,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        img.setRGB(10, 10, 0xffffff);
        javax.imageio.ImageIO.write(img, "jpeg", cls.resolve("a.jpg").toFile());
        ImageSet s = ImageFolderFormat.read(dir.resolve("f"), List.of("big"), 28, 28);
        assertThat(s.size()).isEqualTo(1);
        assertThat(s.height()).isEqualTo(28);
    }

    @Test
    void taskRoundTripsInBothFormats() throws IOException {
        TaskBuilder builder = new TaskBuilder(dir, dir);
        for (TaskData.Format f : TaskData.Format.values()) {
            TaskRecipe r = new TaskRecipe("shapes-" + f, TaskRecipe.Source.SHAPES, Shapes.NAMES.subList(0, 3), 4, 2,
                    2, "rotate:20", f, 7);
            TaskData t = builder.build(r);
            t.save(dir.resolve(r.id()), f);
            TaskData back = TaskData.load(dir.resolve(r.id()));
            assertThat(back.classes()).isEqualTo(List.of("circle", "square", "triangle"));
            assertThat(back.recipe()).contains("corruption=rotate:20");
            assertThat(back.train().size()).isEqualTo(12);
            assertThat(back.val().size()).isEqualTo(6);
            assertThat(back.test().size()).isEqualTo(6);
        }
        // Same recipe, same seed: the same images.
        TaskRecipe r = new TaskRecipe("x", TaskRecipe.Source.SHAPES, Shapes.NAMES.subList(0, 3), 4, 2, 2, "noise:0.1",
                TaskData.Format.IDX, 9);
        assertThat(builder.build(r).train().pixels()).containsExactly(builder.build(r).train().pixels());
    }

    @Test
    void missingManifestIsAClearError() {
        assertThatThrownBy(() -> TaskData.load(dir.resolve("nothing-here"))).isInstanceOf(DatasetException.class)
                .hasMessageContaining("task.json").hasMessageContaining("nothing-here");
    }

    @Test
    void bareDatasetsWithoutManifestLoadInBothLayouts() throws IOException {
        TaskData t = new TaskBuilder(dir, dir).build(new TaskRecipe("bare", TaskRecipe.Source.SHAPES,
                Shapes.NAMES.subList(0, 3), 4, 2, 2, "none", TaskData.Format.IDX, 3));
        for (TaskData.Format f : TaskData.Format.values()) {
            Path d = dir.resolve("bare-" + f);
            t.save(d, f);
            Files.delete(d.resolve(TaskData.MANIFEST));
            TaskData back = TaskData.load(d);
            assertThat(back.numClasses()).isEqualTo(3);
            assertThat(back.train().size()).isEqualTo(12);
            assertThat(back.test().size()).isEqualTo(6);
        }
        Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> TaskData.load(dir.resolve("empty"))).isInstanceOf(DatasetException.class)
                .hasMessageContaining("not a dataset");
    }

    /**
     * The recommender's path: a task's training split opened without its pixels gives the loader's size and shape, and
     * the images read at any indices (unsorted, repeated) are exactly the loader's at those indices, in every layout.
     */
    @Test
    void aTrainingSplitOpenedForSamplingReadsExactlyTheLoadersImagesAtTheIndicesAsked() throws IOException {
        TaskData t = new TaskBuilder(dir, dir).build(new TaskRecipe("sampled", TaskRecipe.Source.SHAPES,
                Shapes.NAMES.subList(0, 3), 6, 2, 2, "noise:0.1", TaskData.Format.IDX, 5));
        int[] indices = {17, 3, 3, 0, 9, 17, 11};
        for (TaskData.Format f : TaskData.Format.values()) {
            for (boolean manifest : new boolean[] {true, false}) {
                Path d = dir.resolve("sampled-" + f + "-" + manifest);
                t.save(d, f);
                if (!manifest) {
                    Files.delete(d.resolve(TaskData.MANIFEST));
                }
                ImageSet full = TaskData.load(d).train();
                TaskData.TrainSplit split = TaskData.openTrain(d);
                assertThat(split.format()).isEqualTo(f);
                assertThat(split.size()).as("%s, manifest %s", f, manifest).isEqualTo(full.size()).isEqualTo(18);
                assertThat(new int[] {split.height(), split.width()}).containsExactly(full.height(), full.width());
                assertThat(split.classes()).isEqualTo(TaskData.load(d).numClasses()).isEqualTo(3);
                ImageSet some = split.read(indices);
                assertThat(some.labels()).containsExactly(full.select(indices).labels());
                assertThat(some.pixels()).containsExactly(full.select(indices).pixels());
            }
        }
        assertThatThrownBy(() -> TaskData.openTrain(dir.resolve("nothing-here"))).isInstanceOf(DatasetException.class)
                .hasMessageContaining("not a dataset");
    }

    /** The header alone says an IDX dataset's size and image shape: a dataset of large images is known without reading it. */
    @Test
    void anIdxSplitsShapeComesFromItsHeader() throws IOException {
        Path img = dir.resolve("big-images-idx3-ubyte.gz");
        try (DataOutputStream out = new DataOutputStream(new java.util.zip.GZIPOutputStream(Files.newOutputStream(img)))) {
            out.writeInt(0x00000803);
            out.writeInt(1_000_000);
            out.writeInt(224);
            out.writeInt(224);
        }
        assertThat(IdxFormat.imageShape(img)).containsExactly(1_000_000, 224, 224);
        assertThatThrownBy(() -> IdxFormat.readSome(img, img, new int[] {5})).isInstanceOf(DatasetException.class)
                .hasMessageContaining("truncated");
    }
}
