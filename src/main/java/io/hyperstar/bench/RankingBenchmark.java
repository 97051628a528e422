package io.hyperstar.bench;

import io.hyperstar.catalog.ImageSet;
import io.hyperstar.catalog.TaskData;
import io.hyperstar.model.Architecture;
import io.hyperstar.model.HyperStarModel;
import io.hyperstar.model.ModelArtifact;
import io.hyperstar.model.Ranker;
import io.hyperstar.space.ConfigSpace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Ranking latency (load-tests/ranking/README.md): one recommendation = B batches of N images of a task and every
 * configuration of the space, batched (the service's path) against the paper's per-configuration loop; for a model
 * with the neighbour readout, that readout is timed in the same run too.
 * <pre>java io.hyperstar.bench.RankingBenchmark [--data data] [--task fashion-10] [--model DIR] [--batches 10]
 *      [--images 64] [--rounds 200] [--naive-rounds 10] [--out load-tests/ranking/results.csv]</pre>
 */
public final class RankingBenchmark {

    private RankingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of("data");
        String task = "fashion-10";
        Path modelDir = null;
        int batches = Ranker.BATCHES;
        int images = Ranker.PER_BATCH;
        int rounds = 200;
        int naiveRounds = 10;
        Path out = Path.of("load-tests/ranking/results.csv");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--task" -> task = args[++i];
                case "--model" -> modelDir = Path.of(args[++i]);
                case "--batches" -> batches = Integer.parseInt(args[++i]);
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--naive-rounds" -> naiveRounds = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ConfigSpace space = ConfigSpace.bundled();
        ImageSet train = TaskData.load(data.resolve("tasks").resolve(task)).train();
        try (HyperStarModel model = modelDir == null ? HyperStarModel.create(space, Architecture.DEFAULT)
                : ModelArtifact.load(modelDir, space)) {
            double[] neighbours = model.memory().isPresent() ? time(model, train, batches, images, rounds) : null;
            // The predictor readout (the paper's) on the same weights, for the side-by-side with the naive loop.
            model.useMemory(null);
            Ranker.rankNaive(model, train, batches, images, 0);
            double[] batched = time(model, train, batches, images, rounds);
            double[] naive = new double[naiveRounds];
            for (int r = 0; r < naiveRounds; r++) {
                long t0 = System.nanoTime();
                Ranker.rankNaive(model, train, batches, images, r);
                naive[r] = (System.nanoTime() - t0) / 1e6;
            }
            String header = String.format(Locale.ROOT, "task %s (%d train images), H = %d configurations, B = %d x "
                    + "N = %d images, device %s, PyTorch threads %s", task, train.size(), space.size(), batches, images,
                    ai.djl.engine.Engine.getInstance().getDevices(1)[0],
                    System.getProperty("ai.djl.pytorch.num_threads", "default"));
            StringBuilder csv = new StringBuilder("method,rounds,p50_ms,p99_ms,mean_ms\n");
            if (neighbours != null) {
                csv.append(line("batched-neighbour-readout", neighbours));
            }
            csv.append(line("batched", batched)).append(line("naive", naive));
            System.out.println(header);
            System.out.print(csv);
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            Files.writeString(out, "# " + header + "\n" + csv);
        }
    }

    /** Wall-clock milliseconds of {@code rounds} rankings, after 10 warm-up rankings. */
    private static double[] time(HyperStarModel model, ImageSet train, int batches, int images, int rounds) {
        for (int w = 0; w < 10; w++) {
            Ranker.rank(model, train, batches, images, w);
        }
        double[] ms = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            Ranker.rank(model, train, batches, images, r);
            ms[r] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    private static String line(String name, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "%s,%d,%.1f,%.1f,%.1f%n", name, s.length, pct(s, 0.50), pct(s, 0.99),
                Arrays.stream(s).average().orElse(Double.NaN));
    }

    /** Nearest-rank percentile of sorted values. */
    private static double pct(double[] sorted, double p) {
        int idx = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
}
