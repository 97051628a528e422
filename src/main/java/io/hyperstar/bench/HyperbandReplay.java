package io.hyperstar.bench;

import io.hyperstar.hyperband.Experiment;
import io.hyperstar.hyperband.ExperimentMachine;
import io.hyperstar.hyperband.Outcome;
import io.hyperstar.hyperband.Simulator;
import io.hyperstar.hyperband.Strategy;
import io.hyperstar.hyperband.TuningSpec;
import io.hyperstar.metalearn.MetaDataset;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.worker.ReplayRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the rankings are worth inside Hyperband, the way the product uses them: for every task of the meta-dataset,
 * every seed and every budget, vanilla Hyperband and task-aware Hyperband fed with each method's leave-one-task-out
 * ranking (the orders the evaluation recorded in {@code runs/*.csv}) are replayed against the task's recorded
 * learning curves through the scheduler's own {@link ExperimentMachine}. A search is scored by the regret of the
 * best accuracy it reports against the task's best configuration at R.
 * <pre>
 * java io.hyperstar.bench.HyperbandReplay [--metadataset src/main/resources/metadataset]
 *     [--runs docs/benchmarks/runs] [--out docs/benchmarks/hyperband] [--budgets 27,54,108,216,0]
 *     [--methods task-agnostic,meta-features+rf,BM,BM+Sim+GAN] [--eta 3] [--strategies hyperband,bohb,asha] [--parallel 0]
 * </pre>
 * Budget 0 means Hyperband's own full plan. {@code --strategies} adds the task-agnostic searches BOHB and ASHA beside
 * vanilla Hyperband, and task-aware ASHA fed with each method's ranking beside task-aware Hyperband (default: hyperband
 * only). {@code --parallel N} runs the Hyperband strategies' brackets side by side with N trials in flight. Writes {@code replay.csv} (one row per search), {@code README.md}
 * (tables) and {@code found-best.png} (share of searches within 1 point of the task's best, against the budget).
 */
public final class HyperbandReplay {

    /** {@code top1}: the best validation top-1 the search reports; {@code regret}: the task's best minus it, in points. */
    record Result(String method, String task, int seed, long budget, double top1, double regret, boolean foundBestConfig,
                  long epochsUsed, long epochsAtBest, int trials) {
    }

    private HyperbandReplay() {
    }

    public static void main(String[] args) throws IOException {
        Path metaDir = Path.of("src/main/resources/metadataset");
        Path runs = Path.of("docs/benchmarks/runs");
        Path out = Path.of("docs/benchmarks/hyperband");
        List<Long> budgets = List.of(27L, 54L, 108L, 216L, 0L);
        List<String> methods = List.of("task-agnostic", "meta-features+rf", "BM", "BM+GAN", "BM+Sim", "BM+Sim+GAN",
                "BM+neighbours", "BM+Sim+neighbours");
        int eta = 3;
        List<String> strategies = List.of("hyperband");
        int parallel = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--metadataset" -> metaDir = Path.of(args[++i]);
                case "--runs" -> runs = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--budgets" -> budgets = Arrays.stream(args[++i].split(",")).map(Long::valueOf).toList();
                case "--methods" -> methods = Arrays.asList(args[++i].split(","));
                case "--eta" -> eta = Integer.parseInt(args[++i]);
                case "--strategies" -> strategies = Arrays.asList(args[++i].split(","));
                case "--parallel" -> parallel = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Recorded in = Recorded.load(metaDir, runs);
        List<Result> results = replay(in.meta(), in.curves(), in.rows(), methods, budgets, in.meta().epochs(), eta,
                in.space().shape(), strategies, parallel);
        write(results, methods, budgets, in.meta().epochs(), eta, out, String.join(" ", args));
        System.out.println("wrote " + results.size() + " searches to " + out);
    }

    /** What a replay reads: the complete tasks of a meta-dataset, their recorded curves, and the evaluation's rankings. */
    record Recorded(ConfigSpace space, MetaDataset meta, ReplayRunner curves, List<Evaluation.Row> rows) {
        static Recorded load(Path metaDir, Path runs) throws IOException {
            ConfigSpace space = ConfigSpace.bundled();
            return new Recorded(space, MetaDataset.load(metaDir, space).completeOnly(),
                    ReplayRunner.load(metaDir.resolve("curves.csv")), Evaluation.readRuns(runs));
        }
    }

    /** Every (task, seed, budget): vanilla Hyperband, then task-aware Hyperband with each method's ranking. */
    static List<Result> replay(MetaDataset meta, ReplayRunner curves, List<Evaluation.Row> rows, List<String> methods,
                               List<Long> budgets, int r, int eta, int spaceSize) {
        return replay(meta, curves, rows, methods, budgets, r, eta, List.of(spaceSize), List.of("hyperband"), 0);
    }

    /**
     * Every (task, seed, budget): vanilla Hyperband (and BOHB and ASHA when asked), then task-aware Hyperband (and
     * task-aware ASHA) with each method's ranking. ASHA runs with its default width and budget cap, so at budget 0 it
     * may spend Hyperband's whole plan.
     */
    static List<Result> replay(MetaDataset meta, ReplayRunner curves, List<Evaluation.Row> rows, List<String> methods,
                               List<Long> budgets, int r, int eta, List<Integer> shape, List<String> strategies,
                               int parallel) {
        for (String s : strategies) {
            if (!List.of("hyperband", "bohb", "asha").contains(s)) {
                throw new IllegalArgumentException("unknown strategy " + s + " (hyperband, bohb, asha)");
            }
        }
        boolean bohb = strategies.contains("bohb");
        boolean asha = strategies.contains("asha");
        List<Integer> seeds = rows.stream().map(Evaluation.Row::seed).distinct().sorted().toList();
        Map<String, Evaluation.Row> byKey = new java.util.HashMap<>();
        rows.forEach(x -> byKey.putIfAbsent(x.key(), x));
        List<Result> out = new ArrayList<>();
        for (MetaDataset.TaskRecord task : meta.tasks()) {
            double best = Arrays.stream(task.valAtR()).max().orElseThrow();
            int bestConfig = io.hyperstar.metalearn.Metrics.orderDescending(task.valAtR())[0];
            Simulator.Curves c = (config, epochs) -> curves.top1(task.id(), config, epochs);
            for (int seed : seeds) {
                for (long budget : budgets) {
                    TuningSpec vanilla = new TuningSpec(Strategy.HYPERBAND, r, eta, budget, seed, 0, 0, parallel);
                    Experiment e = ExperimentMachine.create("v", task.id(), vanilla, shape, 0);
                    out.add(result("vanilla Hyperband", task.id(), seed, budget, best, bestConfig, Simulator.run(e, c)));
                    if (bohb) {
                        TuningSpec spec = new TuningSpec(Strategy.BOHB, r, eta, budget, seed, 0, 0, parallel);
                        out.add(result("BOHB", task.id(), seed, budget, best, bestConfig,
                                Simulator.run(ExperimentMachine.create("b", task.id(), spec, shape, 0), c)));
                    }
                    if (asha) {
                        TuningSpec spec = new TuningSpec(Strategy.ASHA, r, eta, budget, seed, 0, 0);
                        out.add(result("ASHA", task.id(), seed, budget, best, bestConfig,
                                Simulator.run(ExperimentMachine.create("s", task.id(), spec, shape, 0), c)));
                    }
                    for (String m : methods) {
                        Evaluation.Row row = byKey.get(Evaluation.Row.key(m, task.id(), seed));
                        if (row == null) {
                            continue;
                        }
                        TuningSpec aware = new TuningSpec(Strategy.TASK_AWARE_HYPERBAND, r, eta, budget, seed, 0, 0, parallel);
                        Experiment a = ExperimentMachine.create("a", task.id(), aware, shape, 0);
                        List<Integer> ranking = Arrays.stream(row.order()).boxed().toList();
                        // Beside other strategies, say which search the ranking fed; alone, the method names the row.
                        String name = bohb || asha ? "task-aware Hyperband (" + m + ")" : m;
                        out.add(result(name, task.id(), seed, budget, best, bestConfig,
                                Simulator.runRanked(a, ranking, c)));
                        if (asha) {
                            TuningSpec spec = new TuningSpec(Strategy.TASK_AWARE_ASHA, r, eta, budget, seed, 0, 0);
                            out.add(result("task-aware ASHA (" + m + ")", task.id(), seed, budget, best, bestConfig,
                                    Simulator.runRanked(ExperimentMachine.create("sa", task.id(), spec, shape, 0), ranking, c)));
                        }
                    }
                }
            }
        }
        return out;
    }

    private static Result result(String method, String task, int seed, long budget, double best, int bestConfig,
                                 Simulator.Run run) {
        Outcome o = run.outcome();
        double found = o.bestTop1() == null ? 0 : o.bestTop1();
        return new Result(method, task, seed, budget, found, 100 * (best - found),
                o.bestConfigId() != null && o.bestConfigId() == bestConfig, o.epochsUsed(), o.epochsUsedAtBest(),
                o.trialsRequested());
    }

    private static void write(List<Result> results, List<String> methods, List<Long> budgets, int r, int eta, Path out,
                              String args) throws IOException {
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder(
                "method,task,seed,budget,regret_points,found_best_config,epochs_used,epochs_at_best,trials\n");
        for (Result x : results) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%.2f,%b,%d,%d,%d%n", x.method(), x.task(), x.seed(),
                    x.budget(), x.regret(), x.foundBestConfig(), x.epochsUsed(), x.epochsAtBest(), x.trials()));
        }
        Files.writeString(out.resolve("replay.csv"), csv);

        // Searches in the order they were run: the task-agnostic ones first, then each method's.
        List<String> all = new ArrayList<>(new java.util.LinkedHashSet<>(results.stream().map(Result::method).toList()));
        all.sort(java.util.Comparator.comparingInt(m -> m.startsWith("task-aware ASHA") ? 1 : 0));
        long searches = results.stream().filter(x -> x.method().equals(all.get(0))).count() / budgets.size();
        StringBuilder md = new StringBuilder("# Task-aware Hyperband replayed on the meta-dataset\n\n");
        md.append(String.format(Locale.ROOT, "Written by `io.hyperstar.bench.HyperbandReplay %s`. R = %d, eta = %d. "
                + "For each of %d (task, seed) pairs and each epoch budget, vanilla Hyperband (random draws, seeded) "
                + "and task-aware Hyperband filled from each method's leave-one-task-out ranking of that task and seed "
                + "(`../runs/*.csv`, the orders scored in `../ap10.md`) run through the scheduler's own state machine "
                + "against the task's recorded learning curves (instant worker). Regret: the task's best validation "
                + "top-1 at R minus the best top-1 the search reports, in points (a small budget also pays for training "
                + "its best configuration for fewer than R epochs). Found the best: the search's best configuration is "
                + "the task's best at R. Budget 0 = Hyperband's whole plan.%s%n%n",
                args.isBlank() ? "" : args, r, eta, searches, all.contains("ASHA") || all.contains("BOHB")
                        ? " BOHB fills each bracket from its model of the results so far (a third at random); ASHA "
                        + "(plain, and \"task-aware ASHA (method)\" fed with that method's ranking) keeps as many trials in flight as "
                        + "the first rung of Hyperband's most exploratory bracket "
                        + "(the instant worker answers them first in, first out) and stops at the budget, or at Hyperband's "
                        + "whole plan for budget 0, or when every configuration has run as far as it earned." : ""));
        for (long budget : budgets) {
            md.append(String.format(Locale.ROOT, "## Budget %s%n%n", budget == 0 ? "0 (whole plan)" : budget + " epochs"));
            md.append("| search | mean regret (pts) | median regret | within 1 pt of the best | found the best configuration | "
                    + "epochs used | epochs when its best was found |\n|---|---:|---:|---:|---:|---:|---:|\n");
            for (String m : all) {
                List<Result> rs = results.stream().filter(x -> x.method().equals(m) && x.budget() == budget).toList();
                double[] regret = rs.stream().mapToDouble(Result::regret).sorted().toArray();
                md.append(String.format(Locale.ROOT, "| %s | **%.2f** | %.2f | %.0f%% | %.0f%% | %.0f | %.0f |%n", m,
                        Arrays.stream(regret).average().orElse(Double.NaN), median(regret),
                        100.0 * rs.stream().filter(x -> x.regret() <= 1).count() / rs.size(),
                        100.0 * rs.stream().filter(Result::foundBestConfig).count() / rs.size(),
                        rs.stream().mapToLong(Result::epochsUsed).average().orElse(0),
                        rs.stream().mapToLong(Result::epochsAtBest).average().orElse(0)));
            }
            md.append('\n');
        }
        md.append("![share of searches within 1 point of the best](found-best.png)\n\n");
        md.append("![best accuracy against epochs spent](accuracy.png)\n");
        Files.writeString(out.resolve("README.md"), md);

        // The picture: share within 1 point against the epochs actually used (the whole plan placed at its mean).
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (String m : all) {
            List<double[]> pts = new ArrayList<>();
            for (long budget : budgets) {
                List<Result> rs = results.stream().filter(x -> x.method().equals(m) && x.budget() == budget).toList();
                double used = rs.stream().mapToLong(Result::epochsUsed).average().orElse(0);
                pts.add(new double[] {used, (double) rs.stream().filter(x -> x.regret() <= 1).count() / rs.size()});
            }
            pts.sort((a, b) -> Double.compare(a[0], b[0]));
            series.put(m, pts);
        }
        Figure5a.plot(series, "Searches within 1 point of the task's best, against epochs spent", "epochs used (mean)",
                out.resolve("found-best.png"));

        // The paper's Figures 3-5b: the best accuracy a search reports against the epochs it spent.
        Map<String, List<double[]>> accuracy = new LinkedHashMap<>();
        for (String m : all) {
            List<double[]> pts = new ArrayList<>();
            for (long budget : budgets) {
                List<Result> rs = results.stream().filter(x -> x.method().equals(m) && x.budget() == budget).toList();
                pts.add(new double[] {rs.stream().mapToLong(Result::epochsUsed).average().orElse(0),
                        rs.stream().mapToDouble(Result::top1).average().orElse(0)});
            }
            pts.sort((a, b) -> Double.compare(a[0], b[0]));
            accuracy.put(m, pts);
        }
        Figure5a.plot(accuracy, "Best validation top-1 a search reports (mean over tasks and seeds), against epochs spent",
                "epochs used (mean)", out.resolve("accuracy.png"));
    }

    private static double median(double[] sorted) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2;
    }
}
