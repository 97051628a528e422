package io.hyperstar.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The suite's recipes and the materialise command, on the sources that need no installed package. */
class MaterializerTests {

    @TempDir
    Path dir;

    @Test
    void suiteIsLargeAndVaried() {
        List<TaskRecipe> targets = TaskSuite.targets();
        assertThat(targets).hasSizeGreaterThanOrEqualTo(20);
        assertThat(targets.stream().map(TaskRecipe::id).distinct()).hasSameSizeAs(targets);
        assertThat(targets.stream().map(TaskRecipe::source).distinct()).hasSize(4);
        assertThat(targets.stream().map(TaskRecipe::format).distinct()).hasSize(2);
        // The backbone's source characters appear in no target task.
        targets.forEach(t -> assertThat(t.classes()).doesNotContainAnyElementsOf(TaskSuite.SOURCE_CHARS));
    }

    @Test
    void materialisesAndKeepsExistingTasks() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            Materializer.main(new String[] {"--data", dir.toString(), "--only", "shapes-8"});
            Materializer.main(new String[] {"--data", dir.toString(), "--only", "shapes-8"});
        } finally {
            System.setOut(old);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("wrote    shapes-8").contains("kept     shapes-8");
        TaskData t = TaskData.load(dir.resolve("tasks/shapes-8"));
        assertThat(t.numClasses()).isEqualTo(8);
        assertThat(t.train().size()).isEqualTo(8 * 40);
    }

    @Test
    void rendersGlyphsWhenFontsAreInstalled() {
        List<Font> fonts;
        try {
            fonts = GlyphRenderer.fontsCovering(GlyphRenderer.installedFonts(), List.of("A", "Ω"));
        } catch (RuntimeException | Error e) {
            // A JDK without any fontconfig setup fails here rather than listing nothing.
            fonts = List.of();
        }
        assumeTrue(!fonts.isEmpty(), "no installed font covers Latin and Greek");
        float[] img = GlyphRenderer.render(fonts.get(0), "Ω", new Random(1));
        double ink = 0;
        for (float v : img) {
            ink += v;
        }
        assertThat(img).hasSize(28 * 28);
        assertThat(ink).isGreaterThan(20);
        assertThat(GlyphRenderer.className("Ω")).isEqualTo("u03a9");
    }
}
