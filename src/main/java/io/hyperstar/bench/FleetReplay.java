package io.hyperstar.bench;

import io.hyperstar.hyperband.Experiment;
import io.hyperstar.hyperband.ExperimentMachine;
import io.hyperstar.hyperband.FleetSimulator;
import io.hyperstar.hyperband.Strategy;
import io.hyperstar.hyperband.TuningSpec;
import io.hyperstar.metalearn.MetaDataset;
import io.hyperstar.worker.ReplayRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The strategies on a fleet, by the clock: every task and seed of the meta-dataset searched with its whole plan by
 * vanilla Hyperband, BOHB, ASHA, and task-aware Hyperband and ASHA fed with one method's leave-one-task-out ranking, on
 * fleets of several sizes whose workers take trial requests first in, first out and train for the recorded seconds
 * ({@link FleetSimulator}, the scheduler's own state machine). What {@link HyperbandReplay} counts in epochs, this
 * counts in wall-clock time and idle workers: Hyperband's rungs wait for their slowest trial, ASHA's do not.
 * <pre>
 * java io.hyperstar.bench.FleetReplay [--metadataset src/main/resources/metadataset] [--runs docs/benchmarks/runs]
 *     [--out docs/benchmarks/fleet] [--workers 9,27,81] [--method BM+Sim+neighbours] [--eta 3]
 * </pre>
 * Writes {@code fleet.csv} (one row per search), {@code README.md} (a table per fleet size) and, per fleet size,
 * {@code within-1pt-<workers>.png} (share of searches within 1 point of the task's best against the clock).
 */
public final class FleetReplay {

    record Result(String search, int workers, String task, int seed, double seconds, double utilisation, double regret,
                  double secondsToWithin1, long epochsUsed) {
    }

    private FleetReplay() {
    }

    public static void main(String[] args) throws IOException {
        Path metaDir = Path.of("src/main/resources/metadataset");
        Path runs = Path.of("docs/benchmarks/runs");
        Path out = Path.of("docs/benchmarks/fleet");
        List<Integer> fleets = List.of(9, 27, 81);
        String method = "BM+Sim+neighbours";
        int eta = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--metadataset" -> metaDir = Path.of(args[++i]);
                case "--runs" -> runs = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--workers" -> fleets = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--method" -> method = args[++i];
                case "--eta" -> eta = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        HyperbandReplay.Recorded in = HyperbandReplay.Recorded.load(metaDir, runs);
        List<Result> results = replay(in.meta(), in.curves(), in.rows(), method, fleets, in.meta().epochs(), eta,
                in.space().shape());
        write(results, fleets, method, in.meta().epochs(), eta, out, String.join(" ", args));
        System.out.println("wrote " + results.size() + " searches to " + out);
    }

    static List<Result> replay(MetaDataset meta, ReplayRunner curves, List<Evaluation.Row> rows, String method,
                               List<Integer> fleets, int r, int eta, List<Integer> shape) {
        Map<String, Evaluation.Row> byKey = new HashMap<>();
        rows.forEach(x -> byKey.putIfAbsent(x.key(), x));
        List<Integer> seeds = rows.stream().map(Evaluation.Row::seed).distinct().sorted().toList();
        List<Result> out = new ArrayList<>();
        long started = System.nanoTime();
        int done = 0;
        for (MetaDataset.TaskRecord task : meta.tasks()) {
            double best = Arrays.stream(task.valAtR()).max().orElseThrow();
            for (int seed : seeds) {
                Evaluation.Row row = byKey.get(Evaluation.Row.key(method, task.id(), seed));
                List<Integer> ranking = row == null ? null : Arrays.stream(row.order()).boxed().toList();
                for (int workers : fleets) {
                    Map<String, TuningSpec> searches = new LinkedHashMap<>();
                    searches.put("vanilla Hyperband", new TuningSpec(Strategy.HYPERBAND, r, eta, 0, seed, 0, 0));
                    searches.put("vanilla Hyperband, side by side", new TuningSpec(Strategy.HYPERBAND, r, eta, 0, seed, 0, 0, workers));
                    searches.put("BOHB", new TuningSpec(Strategy.BOHB, r, eta, 0, seed, 0, 0));
                    searches.put("ASHA", new TuningSpec(Strategy.ASHA, r, eta, 0, seed, 0, 0, workers));
                    if (ranking != null) {
                        searches.put("task-aware Hyperband", new TuningSpec(Strategy.TASK_AWARE_HYPERBAND, r, eta, 0, seed, 0, 0));
                        searches.put("task-aware Hyperband, side by side",
                                new TuningSpec(Strategy.TASK_AWARE_HYPERBAND, r, eta, 0, seed, 0, 0, workers));
                        searches.put("task-aware ASHA", new TuningSpec(Strategy.TASK_AWARE_ASHA, r, eta, 0, seed, 0, 0, workers));
                    }
                    for (var s : searches.entrySet()) {
                        Experiment e = ExperimentMachine.create(s.getKey(), task.id(), s.getValue(), shape, 0);
                        FleetSimulator.Run run = FleetSimulator.run(e, ranking,
                                (c, epochs) -> curves.top1(task.id(), c, epochs),
                                (c, from, to) -> curves.seconds(task.id(), c, from, to), workers);
                        double within = run.bestOverTime().stream().filter(p -> 100 * (best - p[1]) <= 1)
                                .mapToDouble(p -> p[0]).findFirst().orElse(Double.NaN);
                        out.add(new Result(s.getKey(), workers, task.id(), seed, run.seconds(), run.utilisation(),
                                100 * (best - run.outcome().bestTop1()), within, run.outcome().epochsUsed()));
                    }
                }
                done++;
            }
            double elapsed = (System.nanoTime() - started) / 1e9;
            int total = meta.tasks().size() * seeds.size();
            System.err.printf(Locale.ROOT, "%d/%d task-seed pairs, %.1f pairs/s, ETA %.0f s%n", done, total, done / elapsed,
                    (total - done) / Math.max(1e-9, done / elapsed));
        }
        return out;
    }

    private static void write(List<Result> results, List<Integer> fleets, String method, int r, int eta, Path out,
                              String args) throws IOException {
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder("search,workers,task,seed,seconds,utilisation,regret_points,seconds_to_within_1pt,epochs_used\n");
        for (Result x : results) {
            csv.append(String.format(Locale.ROOT, "%s,%d,%s,%d,%.3f,%.4f,%.2f,%.3f,%d%n", x.search(), x.workers(), x.task(),
                    x.seed(), x.seconds(), x.utilisation(), x.regret(), x.secondsToWithin1(), x.epochsUsed()));
        }
        Files.writeString(out.resolve("fleet.csv"), csv);
        List<String> searches = results.stream().map(Result::search).distinct().toList();
        StringBuilder md = new StringBuilder("# The strategies on a fleet, by the clock\n\n");
        md.append(String.format(Locale.ROOT, "Written by `io.hyperstar.bench.FleetReplay %s`. R = %d, eta = %d, every search "
                + "with Hyperband's whole plan (ASHA: up to the same epochs, with as many trials in flight as workers; "
                + "\"side by side\": Hyperband's brackets run side by side, the next starting whenever fewer trials than "
                + "workers are in flight, `parallelTrials` = workers). "
                + "Each task and seed of the meta-dataset is searched on a fleet whose workers take trial requests first in, "
                + "first out and train for the seconds the meta-dataset recorded (a resumed trial, for its extra epochs), "
                + "through the scheduler's own state machine; the task-aware searches use %s's leave-one-task-out "
                + "ranking of that task and seed (`../runs/*.csv`). Seconds are the recorded training seconds of this "
                + "machine's small CNN: compare them across searches, not with a real fleet. Utilisation: busy "
                + "worker-seconds over workers x seconds. Within 1 point: the search's best so far is within 1 point of "
                + "the task's best validation top-1 at R.%n%n", args.isBlank() ? "" : args, r, eta, method));
        for (int workers : fleets) {
            md.append(String.format(Locale.ROOT, "## %d workers%n%n", workers));
            md.append("| search | seconds to the end (mean) | utilisation | epochs | seconds per epoch trained | final regret (pts) | "
                    + "within 1 pt at the end | seconds to within 1 pt (median of those that got there) |\n"
                    + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (String s : searches) {
                List<Result> rs = results.stream().filter(x -> x.search().equals(s) && x.workers() == workers).toList();
                double[] reached = rs.stream().mapToDouble(Result::secondsToWithin1).filter(v -> !Double.isNaN(v)).sorted().toArray();
                // Busy worker-seconds per epoch: what the configurations a search chose cost to train.
                double busy = rs.stream().mapToDouble(x -> x.utilisation() * x.workers() * x.seconds()).sum();
                md.append(String.format(Locale.ROOT, "| %s | %.1f | %.2f | %.0f | %.2f | %.2f | %.0f%% | %.1f |%n", s,
                        rs.stream().mapToDouble(Result::seconds).average().orElse(Double.NaN),
                        rs.stream().mapToDouble(Result::utilisation).average().orElse(Double.NaN),
                        rs.stream().mapToLong(Result::epochsUsed).average().orElse(Double.NaN),
                        busy / rs.stream().mapToLong(Result::epochsUsed).sum(),
                        rs.stream().mapToDouble(Result::regret).average().orElse(Double.NaN),
                        100.0 * reached.length / rs.size(),
                        reached.length == 0 ? Double.NaN : (reached[(reached.length - 1) / 2] + reached[reached.length / 2]) / 2));
            }
            md.append(String.format(Locale.ROOT, "%n![share within 1 point against the clock, %d workers](within-1pt-%d.png)%n%n",
                    workers, workers));

            // Share of the searches within 1 point of the best by each moment, on a grid up to the time 90% of the
            // searches have ended (a few slow tasks would squeeze everything else into the left edge).
            double[] ends = results.stream().filter(x -> x.workers() == workers).mapToDouble(Result::seconds).sorted().toArray();
            double end = ends[(int) Math.floor(0.9 * (ends.length - 1))];
            Map<String, List<double[]>> series = new LinkedHashMap<>();
            for (String s : searches) {
                List<Result> rs = results.stream().filter(x -> x.search().equals(s) && x.workers() == workers).toList();
                List<double[]> pts = new ArrayList<>();
                for (int k = 0; k <= 60; k++) {
                    double t = 1 + (end - 1) * k / 60.0;
                    pts.add(new double[] {t, (double) rs.stream().filter(x -> x.secondsToWithin1() <= t).count() / rs.size()});
                }
                series.put(s, pts);
            }
            Figure5a.plot(series, "Searches within 1 point of the task's best, against recorded training seconds, "
                    + workers + " workers", "seconds", out.resolve("within-1pt-" + workers + ".png"));
        }
        Files.writeString(out.resolve("README.md"), md);
    }
}
