package io.hyperstar.catalog;

import static io.hyperstar.catalog.TaskData.Format.FOLDER;
import static io.hyperstar.catalog.TaskData.Format.IDX;
import static io.hyperstar.catalog.TaskRecipe.Source.FASHION_MNIST;
import static io.hyperstar.catalog.TaskRecipe.Source.GLYPHS;
import static io.hyperstar.catalog.TaskRecipe.Source.MNIST;
import static io.hyperstar.catalog.TaskRecipe.Source.SHAPES;

import java.util.ArrayList;
import java.util.List;

/**
 * The target tasks of the meta-dataset and the backbone's source task. Sizes are kept small (a few hundred training
 * images) so the full grid of configurations x tasks x 27 epochs fits a few CPU hours.
 */
public final class TaskSuite {

    /** Characters of the backbone's source task; no target task uses them. */
    public static final List<String> SOURCE_CHARS = chars("abcdefghijklmnopqrstuvwxyz");

    private TaskSuite() {
    }

    /** The backbone's source task: Latin lowercase from the source fonts (disjoint from every target's fonts). */
    public static TaskRecipe source() {
        return new TaskRecipe("source-latin-lower", GLYPHS, SOURCE_CHARS, 160, 20, 20, "none", IDX, 1);
    }

    public static List<TaskRecipe> targets() {
        List<String> all10 = chars("0123456789");
        List<String> latinUpper = chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        List<String> greekUpper = chars("ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ");
        List<String> greekLower = chars("αβγδεζηθικλμνξοπρστυφχψω");
        List<String> cyrUpper = chars("АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ");
        List<String> cyrLower = chars("абвгдежзийклмнопрстуфхцчшщъыьэюя");
        List<String> symbols = chars("+×÷=<>%&@#$§¶?!*/~^∞");
        List<TaskRecipe> t = new ArrayList<>();
        t.add(new TaskRecipe("fashion-10", FASHION_MNIST, all10, 50, 40, 40, "none", IDX, 101));
        t.add(new TaskRecipe("fashion-10-few", FASHION_MNIST, all10, 8, 40, 40, "none", FOLDER, 102));
        t.add(new TaskRecipe("fashion-tops-4", FASHION_MNIST, chars("0246"), 100, 100, 100, "none", IDX, 103));
        t.add(new TaskRecipe("fashion-shoes-bags-4", FASHION_MNIST, chars("5789"), 40, 100, 100, "none", FOLDER, 104));
        t.add(new TaskRecipe("fashion-10-rot", FASHION_MNIST, all10, 50, 40, 40, "rotate:40", IDX, 105));
        t.add(new TaskRecipe("fashion-10-noise", FASHION_MNIST, all10, 50, 40, 40, "noise:0.3", FOLDER, 106));
        t.add(new TaskRecipe("fashion-6-invert", FASHION_MNIST, chars("135789"), 60, 60, 60, "invert", IDX, 107));
        t.add(new TaskRecipe("mnist-10", MNIST, all10, 50, 40, 40, "none", IDX, 201));
        t.add(new TaskRecipe("mnist-10-few", MNIST, all10, 6, 40, 40, "none", FOLDER, 202));
        t.add(new TaskRecipe("mnist-10-blur", MNIST, all10, 40, 40, 40, "blur:1.5", IDX, 203));
        t.add(new TaskRecipe("mnist-10-occlude", MNIST, all10, 50, 40, 40, "occlude:12", FOLDER, 204));
        t.add(new TaskRecipe("mnist-5-rot", MNIST, chars("01234"), 60, 80, 80, "rotate:60", IDX, 205));
        t.add(new TaskRecipe("latin-upper-26", GLYPHS, latinUpper, 20, 15, 15, "none", FOLDER, 301));
        t.add(new TaskRecipe("latin-upper-26-few", GLYPHS, latinUpper, 5, 15, 15, "none", IDX, 302));
        t.add(new TaskRecipe("latin-upper-26-invert", GLYPHS, latinUpper, 20, 15, 15, "invert", FOLDER, 303));
        t.add(new TaskRecipe("greek-upper-24", GLYPHS, greekUpper, 20, 16, 16, "none", FOLDER, 304));
        t.add(new TaskRecipe("greek-lower-24", GLYPHS, greekLower, 20, 16, 16, "none", IDX, 305));
        t.add(new TaskRecipe("greek-lower-24-rot", GLYPHS, greekLower, 20, 16, 16, "rotate:35", IDX, 306));
        t.add(new TaskRecipe("cyrillic-upper-32", GLYPHS, cyrUpper, 15, 12, 12, "none", FOLDER, 307));
        t.add(new TaskRecipe("cyrillic-lower-32-noise", GLYPHS, cyrLower, 15, 12, 12, "noise:0.25", IDX, 308));
        t.add(new TaskRecipe("cyrillic-upper-16-occlude", GLYPHS, cyrUpper.subList(16, 32), 25, 25, 25, "occlude:10",
                FOLDER, 309));
        t.add(new TaskRecipe("digits-glyph-10-noise", GLYPHS, all10, 8, 40, 40, "noise:0.3", FOLDER, 310));
        t.add(new TaskRecipe("symbols-20-few", GLYPHS, symbols, 4, 20, 20, "rotate:30", IDX, 311));
        t.add(new TaskRecipe("shapes-8", SHAPES, Shapes.NAMES, 40, 50, 50, "none", FOLDER, 401));
        // Second wave (session 4): one more task per gap in the grid of source x corruption x size, chosen before
        // any result on them was seen, because ranking quality was still climbing with the number of training tasks.
        t.add(new TaskRecipe("fashion-10-blur", FASHION_MNIST, all10, 50, 40, 40, "blur:1.5", FOLDER, 108));
        t.add(new TaskRecipe("fashion-5-occlude", FASHION_MNIST, chars("01389"), 60, 60, 60, "occlude:10", IDX, 109));
        t.add(new TaskRecipe("mnist-10-noise", MNIST, all10, 50, 40, 40, "noise:0.3", IDX, 206));
        t.add(new TaskRecipe("mnist-10-invert", MNIST, all10, 50, 40, 40, "invert", FOLDER, 207));
        t.add(new TaskRecipe("mnist-5-few", MNIST, chars("56789"), 10, 80, 80, "none", IDX, 208));
        t.add(new TaskRecipe("latin-upper-26-blur", GLYPHS, latinUpper, 20, 15, 15, "blur:1.2", IDX, 312));
        t.add(new TaskRecipe("greek-upper-24-few", GLYPHS, greekUpper, 5, 16, 16, "none", FOLDER, 313));
        t.add(new TaskRecipe("cyrillic-lower-32", GLYPHS, cyrLower, 15, 12, 12, "none", FOLDER, 314));
        t.add(new TaskRecipe("digits-glyph-10", GLYPHS, all10, 20, 40, 40, "none", IDX, 315));
        t.add(new TaskRecipe("symbols-20-invert", GLYPHS, symbols, 15, 20, 20, "invert", FOLDER, 316));
        t.add(new TaskRecipe("shapes-8-rot", SHAPES, Shapes.NAMES, 40, 50, 50, "rotate:45", IDX, 402));
        t.add(new TaskRecipe("shapes-8-noise-few", SHAPES, Shapes.NAMES, 8, 50, 50, "noise:0.3", FOLDER, 403));
        return List.copyOf(t);
    }

    /** The target task with this id. */
    public static TaskRecipe target(String id) {
        return targets().stream().filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no task '" + id + "' in the suite"));
    }

    static List<String> chars(String s) {
        return s.codePoints().mapToObj(Character::toString).toList();
    }
}
