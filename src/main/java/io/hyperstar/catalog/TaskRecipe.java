package io.hyperstar.catalog;

import java.util.List;

/**
 * How one task is made from a raw source: which classes, how many images per class in each split, which corruption,
 * which on-disk format, and the seed that makes it reproducible.
 *
 * @param classes source class indices ("0".."9") for fashion-mnist and mnist, characters for glyphs, shape names
 *                for shapes
 * @param corruption {@code none}, {@code rotate:<max degrees>}, {@code noise:<sigma>}, {@code blur:<sigma>},
 *                   {@code invert}, {@code occlude:<square side>}
 */
public record TaskRecipe(String id, Source source, List<String> classes, int trainPerClass, int valPerClass,
                         int testPerClass, String corruption, TaskData.Format format, long seed) {

    /** Where a task's raw images come from. */
    public enum Source { FASHION_MNIST, MNIST, GLYPHS, SHAPES }

    public TaskRecipe {
        classes = List.copyOf(classes);
        if (classes.size() < 2) {
            throw new IllegalArgumentException(id + ": a task needs at least two classes");
        }
    }

    /** One line describing the recipe, stored in task.json and tasks.csv. */
    public String describe() {
        return "source=" + source.name().toLowerCase() + " classes=" + classes.size() + " per-class="
                + trainPerClass + "/" + valPerClass + "/" + testPerClass + " corruption=" + corruption + " format="
                + format.name().toLowerCase() + " seed=" + seed;
    }
}
