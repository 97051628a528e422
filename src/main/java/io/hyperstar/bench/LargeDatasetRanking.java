package io.hyperstar.bench;

import io.hyperstar.catalog.DataRoots;
import io.hyperstar.catalog.IdxFormat;
import io.hyperstar.catalog.ImageSet;
import io.hyperstar.catalog.TaskData;
import io.hyperstar.events.DatasetFormat;
import io.hyperstar.events.DatasetRegistered;
import io.hyperstar.events.RankingComputed;
import io.hyperstar.events.Strategy;
import io.hyperstar.events.TuningRequest;
import io.hyperstar.model.HyperStarModel;
import io.hyperstar.model.ModelArtifact;
import io.hyperstar.model.Ranker;
import io.hyperstar.recommend.Recommender;
import io.hyperstar.space.ConfigSpace;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Ranking a large dataset within the recommender's memory: a bare IDX dataset of {@code --images} training images
 * (Fashion-MNIST's, repeated), ranked the way the recommender ranks (the split's header, then only the sampled images),
 * and then the way it used to (every image of every split loaded, then sampled), each with the heap's peak. Run it
 * with the heap a recommender pod gets, for example {@code JAVA_OPTS=-Xmx1g}.
 *
 * <pre>src/data/java.sh io.hyperstar.bench.LargeDatasetRanking [--images 500000] [--source data/tasks/fashion-10]
 *        [--dir target/large-dataset] [--model src/main/resources/model]</pre>
 */
public final class LargeDatasetRanking {

    private LargeDatasetRanking() {
    }

    public static void main(String[] args) throws Exception {
        int images = 500_000;
        Path source = Path.of("data/tasks/fashion-10");
        Path dir = Path.of("target/large-dataset");
        Path modelDir = Path.of("src/main/resources/model");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--source" -> source = Path.of(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--model" -> modelDir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--images n --source task-dir --dir out-dir --model dir)");
            }
        }
        Path task = dir.resolve("large-" + images);
        if (!Files.exists(task.resolve("test-labels-idx1-ubyte.gz"))) {
            write(TaskData.load(source), images, task);
        }
        long bytes = Files.size(task.resolve("train-images-idx3-ubyte.gz"));
        System.out.printf(Locale.ROOT, "dataset: %s, %,d training images (%,d bytes gzipped), max heap %,d MiB%n", task,
                images, bytes, Runtime.getRuntime().maxMemory() >> 20);
        ConfigSpace space = ConfigSpace.bundled();
        try (HyperStarModel model = ModelArtifact.load(modelDir, space)) {
            Recommender recommender = new Recommender(model, ModelArtifact.readMetadata(modelDir),
                    new DataRoots(List.of(dir.toAbsolutePath())), Ranker.BATCHES, Ranker.PER_BATCH, 20);
            DatasetRegistered ev = DatasetRegistered.newBuilder().setExperimentId("large").setDatasetId("large")
                    .setTenant("bench").setUri(task.toAbsolutePath().toString()).setFormat(DatasetFormat.IDX)
                    .setTuning(TuningRequest.newBuilder().setStrategy(Strategy.TASK_AWARE_HYPERBAND).setMaxEpochsPerTrial(9)
                            .setEta(3).setTotalEpochBudget(0).setSeed(1).build())
                    .setRegisteredAtMs(Instant.now()).build();
            measure("sampled (the recommender now)", () -> {
                RankingComputed r = recommender.rank(ev);
                if (!r.getOk()) {
                    throw new IllegalStateException(r.getError().toString());
                }
                return "top 5 " + r.getRanking().subList(0, 5);
            });
            measure("everything loaded (the recommender before)", () -> {
                ImageSet train = TaskData.load(task).train();
                return "top 5 " + java.util.Arrays.toString(java.util.Arrays.copyOf(
                        Ranker.rank(model, train, Ranker.BATCHES, Ranker.PER_BATCH, "large".hashCode()).order(), 5));
            });
        }
    }

    private interface Run {
        String run() throws Exception;
    }

    private static void measure(String what, Run run) {
        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long start = System.nanoTime();
        String result;
        try {
            result = run.run();
        } catch (OutOfMemoryError e) {
            result = "OutOfMemoryError: " + e.getMessage();
        } catch (Exception e) {
            result = "failed: " + e;
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        System.out.printf(Locale.ROOT, "| %s | %,d ms | %,d MiB | %s |%n", what, ms, peak >> 20, result);
    }

    /** A bare IDX task: {@code n} training images cycling through the source's, and the source's val and test splits. */
    private static void write(TaskData source, int n, Path task) throws IOException {
        Files.createDirectories(task);
        ImageSet train = source.train();
        int px = train.pixelsPerImage();
        try (DataOutputStream img = gz(task.resolve("train-images-idx3-ubyte.gz"));
             DataOutputStream lbl = gz(task.resolve("train-labels-idx1-ubyte.gz"))) {
            img.writeInt(0x00000803);
            img.writeInt(n);
            img.writeInt(train.height());
            img.writeInt(train.width());
            lbl.writeInt(0x00000801);
            lbl.writeInt(n);
            byte[] one = new byte[px];
            for (int i = 0; i < n; i++) {
                int k = i % train.size();
                for (int p = 0; p < px; p++) {
                    one[p] = (byte) Math.round(train.pixels()[k * px + p] * 255f);
                }
                img.write(one);
                lbl.writeByte(train.labels()[k]);
            }
        }
        IdxFormat.write(source.val(), task.resolve("val-images-idx3-ubyte.gz"), task.resolve("val-labels-idx1-ubyte.gz"));
        IdxFormat.write(source.test(), task.resolve("test-images-idx3-ubyte.gz"), task.resolve("test-labels-idx1-ubyte.gz"));
    }

    private static DataOutputStream gz(Path f) throws IOException {
        return new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(Files.newOutputStream(f), 1 << 16), 1 << 16));
    }
}
