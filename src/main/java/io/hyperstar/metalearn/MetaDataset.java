package io.hyperstar.metalearn;

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

    /** One task's row: meta-features and the final validation accuracy per configuration id (NaN = not trained). */
    public record TaskRecord(String id, String source, int classes, int train, double[] valAtR) {

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

    /** Only the tasks whose every configuration has a result. */
    public MetaDataset completeOnly() {
        return new MetaDataset(epochs, tasks.stream().filter(TaskRecord::complete).toList());
    }

    /**
     * Reads {@code metadataset.json}, {@code tasks.csv} and {@code curves.csv} from {@code dir}; refuses a
     * meta-dataset built for another configuration space. R is the file's {@code epochs}.
     */
    public static MetaDataset load(Path dir, ConfigSpace space) throws IOException {
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("metadataset.json").toFile());
        String fp = meta.path("space_fingerprint").asText();
        if (!fp.equals(space.fingerprint())) {
            throw new IOException(dir + " was built for configuration space " + fp + ", not " + space.fingerprint());
        }
        int r = meta.path("epochs").asInt();
        Map<String, String[]> info = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve("tasks.csv")).subList(1, Files.readAllLines(
                dir.resolve("tasks.csv")).size())) {
            if (!line.isBlank()) {
                String[] f = line.split(",", 7);
                info.put(f[0], f);
            }
        }
        Map<String, double[]> acc = new LinkedHashMap<>();
        List<String> rows = Files.readAllLines(dir.resolve("curves.csv"));
        for (String line : rows.subList(1, rows.size())) {
            String[] f = line.split(",");
            // The builder drops torn rows when it resumes; a reader tolerates one at the end of a file being written.
            if (f.length < 6 || Integer.parseInt(f[2]) != r) {
                continue;
            }
            double[] a = acc.computeIfAbsent(f[0], k -> nanArray(space.size()));
            a[Integer.parseInt(f[1])] = Double.parseDouble(f[3]);
        }
        List<TaskRecord> out = new ArrayList<>();
        for (Map.Entry<String, double[]> e : acc.entrySet()) {
            String[] f = info.get(e.getKey());
            out.add(new TaskRecord(e.getKey(), f == null ? "?" : f[1], f == null ? 0 : Integer.parseInt(f[2]),
                    f == null ? 0 : Integer.parseInt(f[3]), e.getValue()));
        }
        return new MetaDataset(r, out);
    }

    private static double[] nanArray(int n) {
        double[] a = new double[n];
        Arrays.fill(a, Double.NaN);
        return a;
    }
}
