package io.hyperstar.catalog;

import java.io.IOException;
import java.nio.file.Path;

/** Tiny tasks made from procedural shapes (no installed packages needed), for tests. */
public final class TestTasks {

    private TestTasks() {
    }

    public static TaskData shapes(String id, int classes, int trainPerClass, long seed) throws IOException {
        TaskRecipe r = new TaskRecipe(id, TaskRecipe.Source.SHAPES, Shapes.NAMES.subList(0, classes), trainPerClass,
                4, 4, "none", TaskData.Format.IDX, seed);
        return new TaskBuilder(Path.of("."), Path.of(".")).build(r);
    }

    /** Writes a tiny shapes task under {@code data/tasks/<id>} as the builder expects it. */
    public static void materialise(Path data, String id, int classes, TaskData.Format format, long seed)
            throws IOException {
        shapes(id, classes, 6, seed).save(data.resolve("tasks").resolve(id), format);
    }
}
