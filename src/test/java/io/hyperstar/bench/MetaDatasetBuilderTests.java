package io.hyperstar.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperstar.catalog.TaskData;
import io.hyperstar.catalog.TestTasks;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meta-dataset build: the tiny preset end to end, and resuming after an interruption without repeating work. */
class MetaDatasetBuilderTests {

    static Trainer trainer;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        trainer = new Trainer();
    }

    private MetaDatasetBuilder.Options tiny(int maxPairs) throws IOException {
        Path data = dir.resolve("data");
        if (!Files.exists(data)) {
            TestTasks.materialise(data, "shapes-a", 3, TaskData.Format.IDX, 1);
            TestTasks.materialise(data, "shapes-b", 4, TaskData.Format.FOLDER, 2);
        }
        MetaDatasetBuilder.Options o = MetaDatasetBuilder.parse(new String[] {"--preset", "tiny", "--data",
                data.toString(), "--out", dir.resolve("out").toString(), "--max-pairs", Integer.toString(maxPairs)});
        return o;
    }

    private MetaDatasetBuilder builder(ByteArrayOutputStream log) {
        return new MetaDatasetBuilder(ConfigSpace.bundled(), trainer,
                new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @Test
    void tinyPresetEndToEndAndResume() throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        MetaDatasetBuilder.Options first = tiny(2);
        assertThat(first.tasks()).containsExactly("shapes-a", "shapes-b");
        assertThat(first.configs()).hasSize(3);
        assertThat(first.epochs()).isEqualTo(2);

        MetaDatasetBuilder.Summary s1 = builder(log).build(first);
        assertThat(s1).isEqualTo(new MetaDatasetBuilder.Summary(6, 0, 2));
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("[1/6] shapes-a").contains("ETA");

        // Interrupted in the middle of the next pair's append: a torn row must not count as work done.
        Path curves = dir.resolve("out").resolve(MetaDatasetBuilder.CURVES);
        Files.writeString(curves, "shapes-a,26,1,0.5", StandardOpenOption.APPEND);

        MetaDatasetBuilder.Summary s2 = builder(log).build(tiny(Integer.MAX_VALUE));
        assertThat(s2).isEqualTo(new MetaDatasetBuilder.Summary(6, 2, 4));

        List<String> rows = Files.readAllLines(curves);
        assertThat(rows.get(0)).isEqualTo("task_id,config_id,epoch,val_top1,test_top1,seconds");
        assertThat(rows).hasSize(1 + 6 * 2);
        Set<String> keys = new HashSet<>();
        for (String r : rows.subList(1, rows.size())) {
            String[] f = r.split(",");
            assertThat(keys.add(f[0] + "," + f[1] + "," + f[2])).as("row %s written once", r).isTrue();
            assertThat(Double.parseDouble(f[3])).isBetween(0.0, 1.0);
        }
        int last = ConfigSpace.bundled().size() - 1;
        assertThat(keys).contains("shapes-b," + last + ",2");

        // Everything is done: a third run trains nothing.
        assertThat(builder(log).build(tiny(Integer.MAX_VALUE))).isEqualTo(new MetaDatasetBuilder.Summary(6, 6, 0));

        List<String> tasks = Files.readAllLines(dir.resolve("out").resolve(MetaDatasetBuilder.TASKS));
        assertThat(tasks).hasSize(3);
        assertThat(tasks.get(2)).startsWith("shapes-b,shapes,4,24,16,16,");
        List<String> configs = Files.readAllLines(dir.resolve("out").resolve(MetaDatasetBuilder.CONFIGS));
        assertThat(configs.get(0)).isEqualTo("config_id,learning_rate,optimizer,finetune_layers,augmentation");
        assertThat(configs).hasSize(1 + ConfigSpace.bundled().size());
    }

    @Test
    void aDifferentEpochBudgetIsRefusedRatherThanMixed() throws IOException {
        builder(new ByteArrayOutputStream()).build(tiny(1));
        MetaDatasetBuilder.Options o = tiny(1);
        MetaDatasetBuilder.Options other = new MetaDatasetBuilder.Options(o.data(), o.out(), 3, o.tasks(),
                o.configs(), 0, 1, o.seed());
        assertThatThrownBy(() -> builder(new ByteArrayOutputStream()).build(other))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("R=2");
    }

    @Test
    void anotherSeedBuildsAReplicateWithOtherRunsAndIsNotMixedWithTheFirst() throws IOException {
        MetaDatasetBuilder.Options first = tiny(1);
        builder(new ByteArrayOutputStream()).build(first);
        Path data = dir.resolve("data");
        Path replicateDir = dir.resolve("replicate");
        MetaDatasetBuilder.Options replicate = MetaDatasetBuilder.parse(new String[] {"--preset", "tiny", "--data",
                data.toString(), "--out", replicateDir.toString(), "--max-pairs", "1", "--seed", "18"});
        assertThat(replicate.seed()).isEqualTo(18);
        builder(new ByteArrayOutputStream()).build(replicate);
        // The same pair trained again from another seed: other accuracies along the curve.
        List<String> a = Files.readAllLines(first.out().resolve(MetaDatasetBuilder.CURVES));
        List<String> b = Files.readAllLines(replicateDir.resolve(MetaDatasetBuilder.CURVES));
        assertThat(b).hasSameSizeAs(a);
        assertThat(b.get(1).split(",")[0] + b.get(1).split(",")[1]).isEqualTo(a.get(1).split(",")[0]
                + a.get(1).split(",")[1]);
        assertThat(b.subList(1, b.size())).isNotEqualTo(a.subList(1, a.size()));
        // A folder holds one seed: resuming the first folder with the replicate's seed is refused.
        MetaDatasetBuilder.Options mixed = new MetaDatasetBuilder.Options(first.data(), first.out(), first.epochs(),
                first.tasks(), first.configs(), 0, 1, 18);
        assertThatThrownBy(() -> builder(new ByteArrayOutputStream()).build(mixed))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("seed 17");
    }

    @Test
    void fullBuildInterleavesTaskFamilies() {
        assertThat(MetaDatasetBuilder.roundRobin(List.of("fashion-10", "fashion-10-few", "greek-lower-24", "mnist-10",
                "mnist-10-few", "mnist-5-rot", "shapes-8"))).containsExactly("fashion-10", "greek-lower-24",
                "mnist-10", "shapes-8", "fashion-10-few", "mnist-10-few", "mnist-5-rot");
    }
}
