package io.hyperstar.worker;

import io.hyperstar.events.TrialCompleted;
import io.hyperstar.events.TrialRequested;
import io.hyperstar.events.TrialStatus;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers trials from recorded learning curves instead of training: exact, instant simulations of a search
 * on the meta-dataset. Reads the meta-dataset's {@code curves.csv} (task, config, epoch, val_top1, ...).
 */
public final class ReplayRunner implements TrialRunner {

    private final Map<String, double[]> curves = new HashMap<>();
    private final Map<String, double[]> seconds = new HashMap<>();
    /** Seconds waited per recorded training second before answering; 0 answers at once. */
    private double pace;

    private ReplayRunner() {
    }

    /** Loads a curves file: the meta-dataset's curves.csv, or any CSV with dataset, config, epoch and accuracy columns. */
    public static ReplayRunner load(Path csv) throws IOException {
        ReplayRunner r = new ReplayRunner();
        Map<String, Map<Integer, double[]>> points = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            List<String> header = List.of(in.readLine().trim().split(","));
            int task = index(header, "task_id", "task", "dataset");
            int config = index(header, "config", "config_id");
            int epoch = index(header, "epoch");
            int top1 = index(header, "val_top1", "top1");
            int secs = header.indexOf("seconds");
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",");
                points.computeIfAbsent(key(f[task], f[config]), k -> new HashMap<>())
                        .put(Integer.parseInt(f[epoch]), new double[]{Double.parseDouble(f[top1]), secs < 0 ? 0 : Double.parseDouble(f[secs])});
            }
        }
        points.forEach((key, byEpoch) -> {
            int max = byEpoch.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
            double[] acc = new double[max + 1];
            double[] sec = new double[max + 1];
            for (int e = 1; e <= max; e++) {
                double[] p = byEpoch.get(e);
                acc[e] = p == null ? Double.NaN : p[0];
                sec[e] = p == null ? 0 : p[1];
            }
            r.curves.put(key, acc);
            r.seconds.put(key, sec);
        });
        return r;
    }

    private static int index(List<String> header, String... names) {
        for (String n : names) {
            int i = header.indexOf(n);
            if (i >= 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("curves file has no column " + String.join(" or ", names) + "; header: " + header);
    }

    private static String key(String datasetId, Object configId) {
        return datasetId + "/" + configId;
    }

    /**
     * Answers each trial after its recorded training time times {@code factor} (0: at once), so a replayed fleet takes
     * time like a real one: for drills and load rehearsals where trials must be in flight when something fails.
     */
    public ReplayRunner paced(double factor) {
        if (!(factor >= 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("pace must be a finite number >= 0, not " + factor);
        }
        pace = factor;
        return this;
    }

    public int size() {
        return curves.size();
    }

    /** Recorded validation top-1 of a configuration on a dataset after {@code epochs} epochs; NaN if not recorded. */
    public double top1(String datasetId, int configId, int epochs) {
        double[] acc = curves.get(key(datasetId, configId));
        return acc == null || epochs < 1 || epochs >= acc.length ? Double.NaN : acc[epochs];
    }

    /** Recorded training seconds of a configuration on a dataset from epoch {@code from} + 1 to {@code to}; NaN if not recorded. */
    public double seconds(String datasetId, int configId, int from, int to) {
        double[] sec = seconds.get(key(datasetId, configId));
        if (sec == null || from < 0 || to >= sec.length || from >= to) {
            return Double.NaN;
        }
        double total = 0;
        for (int e = from + 1; e <= to; e++) {
            total += sec[e];
        }
        return total;
    }

    @Override
    public TrialCompleted run(TrialRequested r, String workerId) {
        double[] acc = curves.get(key(r.getDatasetId(), r.getConfigId()));
        if (acc == null) {
            return TrialRunner.failed(r, workerId, "no recorded curve for dataset " + r.getDatasetId() + " configuration " + r.getConfigId(), 0);
        }
        if (r.getEpochs() < 1 || r.getEpochs() >= acc.length || r.getResumeFromEpochs() < 0 || r.getResumeFromEpochs() >= r.getEpochs()) {
            return TrialRunner.failed(r, workerId, "epochs " + r.getResumeFromEpochs() + ".." + r.getEpochs()
                    + " outside the recorded 1.." + (acc.length - 1), 0);
        }
        List<Double> curve = new ArrayList<>();
        double secs = 0;
        double[] sec = seconds.get(key(r.getDatasetId(), r.getConfigId()));
        for (int e = r.getResumeFromEpochs() + 1; e <= r.getEpochs(); e++) {
            if (Double.isNaN(acc[e])) {
                return TrialRunner.failed(r, workerId, "recorded curve has no epoch " + e, 0);
            }
            curve.add(acc[e]);
            secs += sec[e];
        }
        if (pace > 0) {
            try {
                Thread.sleep(Math.round(secs * pace * 1000));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return TrialRunner.failed(r, workerId, "interrupted", 0);
            }
        }
        return TrialCompleted.newBuilder()
                .setTrialId(r.getTrialId())
                .setExperimentId(r.getExperimentId())
                .setStatus(TrialStatus.SUCCEEDED)
                .setTop1(acc[r.getEpochs()])
                .setCurve(curve)
                .setEpochsTrained(r.getEpochs() - r.getResumeFromEpochs())
                // The recorded training time, so replayed searches report what the real ones would have cost.
                .setDurationMs(Math.round(secs * 1000))
                .setWorker(workerId)
                .build();
    }
}
