package io.hyperstar.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.hyperstar.catalog.ImageSet;
import io.hyperstar.catalog.TaskData;
import io.hyperstar.train.Backbone;
import io.hyperstar.train.HyperParams;
import io.hyperstar.train.Trainer;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Load test of the trainer (load-tests/trainer/README.md): training throughput against a bare DJL loop on the same
 * network in the same JVM, and resident memory over many consecutive trials.
 *
 * <pre>java io.hyperstar.bench.TrainerBenchmark [--data data] [--task fashion-10] [--epochs 5] [--rounds 3]
 *      [--trials 500] [--threads 1]</pre>
 */
public final class TrainerBenchmark {

    private TrainerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of("data");
        String taskId = "fashion-10";
        int epochs = 5;
        int rounds = 3;
        int trials = 500;
        int threads = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--task" -> taskId = args[++i];
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(threads));
        TaskData full = TaskData.load(data.resolve("tasks").resolve(taskId));
        // Validation and test cut to one batch so both sides time the training loop, not evaluation.
        TaskData task = new TaskData(full.id(), full.source(), full.recipe(), full.classes(), full.train(),
                head(full.val(), 32), head(full.test(), 32));
        Trainer trainer = new Trainer();
        HyperParams hp = new HyperParams(0.005f, "adam", Backbone.LAYERS, "none");
        int n = task.train().size();
        System.out.printf(Locale.ROOT, "task %s: %d training images, %d epochs per round, device %s, %d thread(s)%n",
                taskId, n, epochs, trainer.device(), threads);

        // Warm-up of both paths (native library, allocator, JIT) before timing.
        runTrainer(trainer, task, hp, 1);
        runBare(task, 1);
        // CPU time of this thread, not wall time: with one PyTorch thread the ops run on the calling thread, and CPU
        // time does not count the time other processes on a shared machine take from us.
        double[] trainerRate = new double[rounds];
        double[] bareRate = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            // Interleaved rounds so any drift (thermal, caches) hits both sides alike.
            trainerRate[r] = n * epochs / runTrainer(trainer, task, hp, epochs);
            bareRate[r] = n * epochs / runBare(task, epochs);
            System.out.printf(Locale.ROOT, "round %d: trainer %.0f img/s, bare DJL loop %.0f img/s (CPU time)%n", r + 1,
                    trainerRate[r], bareRate[r]);
        }
        double a = median(trainerRate);
        double b = median(bareRate);
        System.out.printf(Locale.ROOT, "median: trainer %.0f img/s, bare %.0f img/s, overhead %.1f%%%n", a, b,
                100 * (b / a - 1));

        // Memory: many consecutive one-epoch trials on the full task (with evaluation), as a worker would run them.
        Path ckpt = Files.createTempDirectory("bench-ckpt");
        long t0 = System.nanoTime();
        System.out.printf(Locale.ROOT, "trials: RSS %d MiB at start%n", rssMiB());
        for (int t = 1; t <= trials; t++) {
            trainer.run(full, t % 54, new HyperParams(t % 2 == 0 ? 0.005f : 0.05f, t % 3 == 0 ? "adam" : "sgd",
                    1 + t % Backbone.LAYERS, "shift"), 1, Optional.empty(), ckpt, t);
            if (t % 50 == 0 || t == trials) {
                System.out.printf(Locale.ROOT, "trials: %4d done, RSS %d MiB, heap used %d MiB, %.2f s/trial%n", t,
                        rssMiB(), (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20,
                        (System.nanoTime() - t0) / 1e9 / t);
            }
        }
    }

    private static ImageSet head(ImageSet s, int n) {
        int[] idx = new int[Math.min(n, s.size())];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        return s.select(idx);
    }

    /** CPU seconds of one whole trial (model set-up and checkpoint included). */
    private static double runTrainer(Trainer trainer, TaskData task, HyperParams hp, int epochs) throws Exception {
        Path dir = Files.createTempDirectory("bench");
        long c0 = cpuNanos();
        trainer.run(task, 0, hp, epochs, Optional.empty(), dir, 1);
        return (cpuNanos() - c0) / 1e9;
    }

    private static long cpuNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The textbook DJL loop: ArrayDataset, built-in Adam, EasyTrain.trainBatch, same network and batch size. */
    private static double runBare(TaskData task, int epochs) throws Exception {
        long c0 = cpuNanos();
        Device device = Engine.getInstance().getDevices(1)[0];
        try (Model model = Model.newInstance("bare", device); NDManager m = NDManager.newBaseManager(device)) {
            SequentialBlock net = Backbone.network(task.numClasses());
            model.setBlock(net);
            ImageSet s = task.train();
            NDArray x = m.create(s.pixels(), new Shape(s.size(), 1, s.height(), s.width()));
            float[] y = new float[s.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = s.labels()[i];
            }
            ArrayDataset ds = new ArrayDataset.Builder().setData(x).optLabels(m.create(y))
                    .setSampling(Trainer.BATCH_SIZE, true).build();
            DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.005f)).build())
                    .optDevices(new Device[] {device});
            try (ai.djl.training.Trainer tr = model.newTrainer(cfg)) {
                tr.initialize(Backbone.INPUT);
                for (int e = 0; e < epochs; e++) {
                    for (Batch b : tr.iterateDataset(ds)) {
                        EasyTrain.trainBatch(tr, b);
                        tr.step();
                        b.close();
                    }
                }
            }
        }
        return (cpuNanos() - c0) / 1e9;
    }

    private static long rssMiB() throws java.io.IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", "")) >> 10;
            }
        }
        return -1;
    }
}
