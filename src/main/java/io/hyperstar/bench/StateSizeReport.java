package io.hyperstar.bench;

import io.hyperstar.hyperband.Experiment;
import io.hyperstar.hyperband.ExperimentMachine;
import io.hyperstar.hyperband.Simulator;
import io.hyperstar.hyperband.Strategy;
import io.hyperstar.hyperband.TuningSpec;
import io.hyperstar.metalearn.MetaDataset;
import io.hyperstar.metalearn.Metrics;
import io.hyperstar.schedule.ExperimentSerde;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.worker.ReplayRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * How many bytes the scheduler keeps per finished search, whole and archived: each strategy run to its end on every
 * task's recorded curves (the same core and the same serde as the service), with ids as long as a platform's. This is
 * what the experiments store holds per search, and what its compacted changelog keeps (and an instance restores when it
 * takes partitions over) once Kafka has cleaned the changelog's closed segments.
 *
 * <pre>java io.hyperstar.bench.StateSizeReport [--metadataset src/main/resources/metadataset] [--out load-tests/scheduler-state/results.md]</pre>
 */
public final class StateSizeReport {

    private StateSizeReport() {
    }

    public static void main(String[] args) throws IOException {
        Path metaDir = Path.of("src/main/resources/metadataset");
        Path out = Path.of("load-tests/scheduler-state/results.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--metadataset" -> metaDir = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--metadataset DIR, --out FILE)");
            }
        }
        ConfigSpace space = ConfigSpace.bundled();
        MetaDataset meta = MetaDataset.load(metaDir, space).completeOnly();
        ReplayRunner curves = ReplayRunner.load(metaDir.resolve("curves.csv"));
        int r = meta.epochs();
        // Task-aware searches need a ranking; its contents do not change the state's size, only the trials chosen:
        // the task-agnostic order (mean z-score over every task) stands in for the recommender's.
        double[] mean = new double[space.size()];
        for (MetaDataset.TaskRecord t : meta.tasks()) {
            double[] z = t.zTargets();
            for (int c = 0; c < z.length; c++) {
                mean[c] += z[c];
            }
        }
        List<Integer> ranking = Arrays.stream(Metrics.orderDescending(mean)).boxed().toList();
        ExperimentSerde serde = new ExperimentSerde();
        StringBuilder table = new StringBuilder();
        table.append("| strategy | searches | trials per search | bytes per search, whole | archived | whole / archived |\n");
        table.append("|---|---:|---:|---:|---:|---:|\n");
        long wholeAll = 0;
        long archivedAll = 0;
        int searches = 0;
        for (Strategy s : List.of(Strategy.HYPERBAND, Strategy.TASK_AWARE_HYPERBAND, Strategy.BOHB, Strategy.ASHA,
                Strategy.TASK_AWARE_ASHA)) {
            long trials = 0;
            long whole = 0;
            long archived = 0;
            int n = 0;
            for (MetaDataset.TaskRecord task : meta.tasks()) {
                Experiment e = ExperimentMachine.create("exp-" + UUID.nameUUIDFromBytes((s + task.id()).getBytes()),
                        task.id(), new TuningSpec(s, r, 3, 0, 7, s.needsRanking() ? 0.1 : 0, 2), space.shape(), 0);
                e.tenant = "team-vision";
                e.datasetUri = "s3://platform-datasets/" + task.id() + "/v1";
                e.datasetFormat = "IDX";
                Simulator.Curves c = (config, epochs) -> curves.top1(task.id(), config, epochs);
                Simulator.Run run = s.needsRanking() ? Simulator.runRanked(e, ranking, c) : Simulator.run(e, c);
                e.completedAtMs = System.currentTimeMillis();
                trials += run.state().trials.size();
                whole += serde.serializer().serialize("", e).length;
                ExperimentMachine.archive(e);
                archived += serde.serializer().serialize("", e).length;
                n++;
            }
            table.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %,.0f | %,.0f | %.1f |%n", s, n, trials / (double) n,
                    whole / (double) n, archived / (double) n, whole / (double) archived));
            wholeAll += whole;
            archivedAll += archived;
            searches += n;
        }
        double perWhole = wholeAll / (double) searches;
        double perArchived = archivedAll / (double) searches;
        String text = "# Scheduler state per finished search, whole and archived\n\n"
                + "Written by `" + ("src/data/java.sh io.hyperstar.bench.StateSizeReport " + String.join(" ", args)).trim()
                + "` (seconds): every strategy run "
                + "to its end (R = " + r + ", eta = 3, no budget cap) on each of the " + meta.tasks().size() + " tasks' recorded "
                + "curves, through the service's core, and its state written with the service's serde (layout of "
                + "`ExperimentSerde`). Archiving (`hyperstar.scheduler.retention`, default 30 days after a search ends) keeps the "
                + "request, the ranking, the outcome and the best trial.\n\n" + table
                + String.format(Locale.ROOT, "%nMean over all %d searches: %,.0f bytes whole, %,.0f archived. For 100,000 finished "
                        + "searches (about three months of a platform that runs a thousand a day) the experiments store holds "
                        + "%.2f GB whole, %.3f GB archived, before RocksDB's own overhead. The changelog is compacted, so once "
                        + "its segments are cleaned it keeps the same one value per search; that is what an instance reads back "
                        + "when it takes their partitions over (Kafka cleans only closed segments: the newest segment, up to "
                        + "segment.bytes, is read whole whatever the state).%n",
                searches, perWhole, perArchived, perWhole * 1e5 / 1e9, perArchived * 1e5 / 1e9);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text);
        System.out.print(text);
    }
}
