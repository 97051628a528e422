package io.hyperstar.catalog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Command that writes the whole task suite (and the backbone's source task) under a data folder:
 * {@code data/tasks/<id>/} and {@code data/source/<id>/}. Tasks already there are kept unless {@code --force}.
 *
 * <pre>java io.hyperstar.catalog.Materializer [--data data] [--fashion DIR] [--mnist DIR] [--only id,id] [--force]</pre>
 */
public final class Materializer {

    private Materializer() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of("data");
        Path fashion = TaskBuilder.DEFAULT_FASHION;
        Path mnist = TaskBuilder.DEFAULT_MNIST;
        List<String> only = List.of();
        boolean force = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--fashion" -> fashion = Path.of(args[++i]);
                case "--mnist" -> mnist = Path.of(args[++i]);
                case "--only" -> only = Arrays.asList(args[++i].split(","));
                case "--force" -> force = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        TaskBuilder builder = new TaskBuilder(fashion, mnist);
        List<TaskRecipe> recipes = new ArrayList<>(TaskSuite.targets());
        recipes.add(TaskSuite.source());
        for (TaskRecipe r : recipes) {
            if (!only.isEmpty() && !only.contains(r.id())) {
                continue;
            }
            Path dir = taskDir(data, r);
            if (!force && Files.exists(dir.resolve(TaskData.MANIFEST))) {
                System.out.println("kept     " + r.id());
                continue;
            }
            if (Files.exists(dir)) {
                // Stale files (a folder task that shrank) would otherwise be read back as part of the new task.
                try (var walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            long t0 = System.nanoTime();
            TaskData t = builder.build(r);
            t.save(dir, r.format());
            System.out.printf("wrote    %-28s %3d classes  %4d/%4d/%4d  %s  (%.1f s)%n", r.id(), t.numClasses(),
                    t.train().size(), t.val().size(), t.test().size(), r.format().name().toLowerCase(),
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Where a recipe's task lives under the data folder. */
    public static Path taskDir(Path data, TaskRecipe r) {
        return data.resolve(r.id().equals(TaskSuite.source().id()) ? "source" : "tasks").resolve(r.id());
    }
}
