package io.hyperstar.metalearn;

import io.hyperstar.catalog.DatasetException;
import io.hyperstar.catalog.ImageSet;
import io.hyperstar.catalog.TaskData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperstar.space.ConfigSpace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The meta-dataset as the meta-learner needs it (docs/metadataset.md): for every task, the validation top-1 of each
 * configuration after R epochs, plus the task's meta-features from {@code tasks.csv}. Missing pairs are NaN.
 */
public final class MetaDataset {

    /**
     * One task's row: meta-features and the final validation accuracy per configuration id (NaN = not trained); also
     * the same trained models' accuracy on the task's test images, which no method sees: how far the validation
     * ranking itself moves when the accuracies are measured again on other images (the evaluation's noise floor).
     */
    public record TaskRecord(String id, String source, int classes, int train, double[] valAtR, double[] testAtR) {

        /** A row without test-split accuracies (NaN). */
        public TaskRecord(String id, String source, int classes, int train, double[] valAtR) {
            this(id, source, classes, train, valAtR, nanArray(valAtR.length));
        }

        public int configsWithResults() {
            return (int) Arrays.stream(valAtR).filter(v -> !Double.isNaN(v)).count();
        }

        public boolean complete() {
            return configsWithResults() == valAtR.length;
        }

        /** True ranking (DESIGN.md): val top-1 at R desc, ties by id; configurations without results last. */
        public int[] trueRanking() {
            return Metrics.orderDescending(valAtR);
        }

        /** Accuracies z-normalised over this task's configurations (the paper's v_ij normalisation); NaN stays NaN. */
        public double[] zTargets() {
            double sum = 0;
            int n = 0;
            for (double v : valAtR) {
                if (!Double.isNaN(v)) {
                    sum += v;
                    n++;
                }
            }
            double mean = sum / Math.max(n, 1);
            double ss = 0;
            for (double v : valAtR) {
                if (!Double.isNaN(v)) {
                    ss += (v - mean) * (v - mean);
                }
            }
            double std = Math.sqrt(ss / Math.max(n, 1));
            double[] z = new double[valAtR.length];
            for (int i = 0; i < z.length; i++) {
                // A task on which every configuration ties carries no ranking signal: all-zero targets.
                z[i] = Double.isNaN(valAtR[i]) ? Double.NaN : std < 1e-12 ? 0 : (valAtR[i] - mean) / std;
            }
            return z;
        }
    }

    private final int epochs;
    private final List<TaskRecord> tasks;

    public MetaDataset(int epochs, List<TaskRecord> tasks) {
        this.epochs = epochs;
        this.tasks = List.copyOf(tasks);
    }

    public int epochs() {
        return epochs;
    }

    public List<TaskRecord> tasks() {
        return tasks;
    }

    public TaskRecord task(String id) {
        return tasks.stream().filter(t -> t.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no task '" + id + "' in the meta-dataset"));
    }

    /** Number of (task, configuration) results. */
    public int records() {
        return tasks.stream().mapToInt(TaskRecord::configsWithResults).sum();
    }

    /**
     * Each task's accuracies averaged with the same task's in replicate meta-datasets (the same tasks and
     * configurations trained again from other trainer seeds, {@code MetaDatasetBuilder --seed}): per configuration,
     * the mean over the runs that have a result for it. A task missing from a replicate keeps the runs it has. Why:
     * a single training run's luck is part of what a ranking measures; a mean over runs is a better training target.
     */
    public MetaDataset averagedWith(List<MetaDataset> replicates) {
        List<Map<String, TaskRecord>> others = replicates.stream().map(MetaDataset::byId).toList();
        List<TaskRecord> out = new ArrayList<>();
        for (TaskRecord t : tasks) {
            List<double[]> runs = new ArrayList<>(List.of(t.valAtR()));
            others.stream().map(o -> o.get(t.id())).filter(java.util.Objects::nonNull)
                    .forEach(x -> runs.add(x.valAtR()));
            double[] mean = new double[t.valAtR().length];
            for (int c = 0; c < mean.length; c++) {
                int config = c;
                mean[c] = runs.stream().mapToDouble(a -> a[config]).filter(v -> !Double.isNaN(v)).average()
                        .orElse(Double.NaN);
            }
            out.add(new TaskRecord(t.id(), t.source(), t.classes(), t.train(), mean, t.testAtR()));
        }
        return new MetaDataset(epochs, out);
    }

    /** The tasks by id, in this meta-dataset's order. */
    public Map<String, TaskRecord> byId() {
        Map<String, TaskRecord> m = new LinkedHashMap<>();
        tasks.forEach(t -> m.put(t.id(), t));
        return m;
    }

    /** Each task's training images, from the materialised task suite ({@code <data>/tasks/<id>}). */
    public Map<String, ImageSet> trainingImages(Path data) throws IOException {
        Map<String, ImageSet> out = new LinkedHashMap<>();
        for (TaskRecord t : tasks) {
            Path dir = data.resolve("tasks").resolve(t.id());
            try {
                out.put(t.id(), TaskData.load(dir).train());
            } catch (DatasetException e) {
                throw new IOException("task " + t.id() + " is not materialised at " + dir
                        + " (run src/data/materialise.sh): " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Only the tasks whose every configuration has a result. */
    public MetaDataset completeOnly() {
        return new MetaDataset(epochs, tasks.stream().filter(TaskRecord::complete).toList());
    }

    /**
     * Reads {@code metadataset.json}, {@code tasks.csv} and {@code curves.csv} from {@code dir}; refuses a
     * meta-dataset built for another configuration space. R is the file's {@code epochs}.
     */
    public static MetaDataset load(Path dir, ConfigSpace space) throws IOException {
        return load(dir, space, 0);
    }

    /**
     * As {@link #load(Path, ConfigSpace)}, but with {@code pooledEpochs} > 0 each task's accuracy per configuration is
     * pooled over every measurement the meta-dataset holds near R: its validation and test images together (weighted
     * by their sizes) and the last {@code pooledEpochs} epochs up to R. Why: one split at one epoch ranks a task's
     * configurations with enough noise that the AP@10 agreement r_ij between two tasks, measured on the validation
     * images and again on the test images, correlates at 0.49 per task (docs/benchmarks/README.md); training targets
     * built from more measurements are less noisy. A held-out task's truth stays its validation accuracy at R.
     */
    public static MetaDataset load(Path dir, ConfigSpace space, int pooledEpochs) throws IOException {
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("metadataset.json").toFile());
        String fp = meta.path("space_fingerprint").asText();
        if (!fp.equals(space.fingerprint())) {
            throw new IOException(dir + " was built for configuration space " + fp + ", not " + space.fingerprint());
        }
        int r = meta.path("epochs").asInt();
        Map<String, String[]> info = new LinkedHashMap<>();
        List<String> taskLines = Files.readAllLines(dir.resolve("tasks.csv"));
        for (String line : taskLines.subList(1, taskLines.size())) {
            if (!line.isBlank()) {
                String[] f = line.split(",", 7);
                info.put(f[0], f);
            }
        }
        int h = space.size();
        Map<String, double[]> acc = new LinkedHashMap<>();
        Map<String, double[]> test = new LinkedHashMap<>();
        // Pooled: per task and configuration, the sum over epochs R - k + 1 .. R of the validation and test accuracy
        // pooled by split size, and how many of those epochs have a row.
        Map<String, double[]> pooledSum = new LinkedHashMap<>();
        Map<String, int[]> pooledCount = new LinkedHashMap<>();
        List<String> rows = Files.readAllLines(dir.resolve("curves.csv"));
        for (String line : rows.subList(1, rows.size())) {
            String[] f = line.split(",");
            // The builder drops torn rows when it resumes; a reader tolerates one at the end of a file being written.
            if (f.length < 6) {
                continue;
            }
            int epoch = Integer.parseInt(f[2]);
            int config = Integer.parseInt(f[1]);
            double val = Double.parseDouble(f[3]);
            double tst = Double.parseDouble(f[4]);
            if (epoch == r) {
                acc.computeIfAbsent(f[0], k -> nanArray(h))[config] = val;
                test.computeIfAbsent(f[0], k -> nanArray(h))[config] = tst;
            }
            if (pooledEpochs > 0 && epoch > r - pooledEpochs && epoch <= r) {
                String[] t = info.get(f[0]);
                double nv = t == null ? 1 : Double.parseDouble(t[4]);
                double nt = t == null ? 1 : Double.parseDouble(t[5]);
                pooledSum.computeIfAbsent(f[0], x -> new double[h])[config] += (val * nv + tst * nt) / (nv + nt);
                pooledCount.computeIfAbsent(f[0], x -> new int[h])[config]++;
            }
        }
        if (pooledEpochs > 0) {
            // NaN unless every epoch of the window has a row (a configuration cut short has no pooled value).
            acc = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> e : pooledSum.entrySet()) {
                double[] a = nanArray(h);
                for (int c = 0; c < h; c++) {
                    if (pooledCount.get(e.getKey())[c] == pooledEpochs) {
                        a[c] = e.getValue()[c] / pooledEpochs;
                    }
                }
                acc.put(e.getKey(), a);
            }
        }
        List<TaskRecord> out = new ArrayList<>();
        for (Map.Entry<String, double[]> e : acc.entrySet()) {
            String[] f = info.get(e.getKey());
            out.add(new TaskRecord(e.getKey(), f == null ? "?" : f[1], f == null ? 0 : Integer.parseInt(f[2]),
                    f == null ? 0 : Integer.parseInt(f[3]), e.getValue(), test.get(e.getKey())));
        }
        return new MetaDataset(r, out);
    }

    private static double[] nanArray(int n) {
        double[] a = new double[n];
        Arrays.fill(a, Double.NaN);
        return a;
    }
}
