package io.hyperstar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperstar.metalearn.MetaDataset;
import io.hyperstar.metalearn.Metrics;
import io.hyperstar.worker.ReplayRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task-aware Hyperband replayed on recorded curves: a ranking that puts the best configuration first finds it
 * within any budget (and, with the whole plan, trains it to R); the reversed ranking does not, at a small budget;
 * vanilla Hyperband runs beside them; a capped search stays within its budget.
 */
class HyperbandReplayTests {

    static final int H = 90;
    static final int R = 9;

    @TempDir
    Path dir;

    /** A saturating curve whose plateau grows with the configuration's id (so curves never cross). */
    static double top1(int config, int epoch) {
        return (0.2 + 0.7 * config / (H - 1.0)) * (1 - Math.exp(-epoch / 3.0));
    }

    /** One task of H configurations whose curves never cross, 1 s per epoch, and a perfect and a reversed ranking of it. */
    record Toy(MetaDataset meta, ReplayRunner curves, List<Evaluation.Row> rows) {
    }

    static Toy toy(Path dir) throws IOException {
        StringBuilder csv = new StringBuilder("task_id,config_id,epoch,val_top1,test_top1,seconds\n");
        double[] atR = new double[H];
        for (int c = 0; c < H; c++) {
            for (int e = 1; e <= R; e++) {
                csv.append(String.format(Locale.ROOT, "t1,%d,%d,%.6f,%.6f,1.0%n", c, e, top1(c, e), top1(c, e)));
            }
            atR[c] = Double.parseDouble(String.format(Locale.ROOT, "%.6f", top1(c, R)));
        }
        Files.writeString(dir.resolve("curves.csv"), csv);
        ReplayRunner curves = ReplayRunner.load(dir.resolve("curves.csv"));
        MetaDataset meta = new MetaDataset(R, List.of(new MetaDataset.TaskRecord("t1", "shapes", 4, 100, atR)));
        int[] perfect = Metrics.orderDescending(atR);
        int[] reversed = new int[H];
        for (int i = 0; i < H; i++) {
            reversed[i] = perfect[H - 1 - i];
        }
        List<Evaluation.Row> rows = new ArrayList<>();
        for (int seed = 1; seed <= 2; seed++) {
            rows.add(new Evaluation.Row("perfect", "t1", seed, 1, 1, 0, perfect));
            rows.add(new Evaluation.Row("reversed", "t1", seed, 0, H, 0, reversed));
        }
        return new Toy(meta, curves, rows);
    }

    @Test
    void aPerfectRankingFindsTheBestAtEveryBudgetAndAReversedOneDoesNot() throws IOException {
        Toy toy = toy(dir);
        MetaDataset meta = toy.meta();
        ReplayRunner curves = toy.curves();
        List<Evaluation.Row> rows = toy.rows();

        List<HyperbandReplay.Result> results = HyperbandReplay.replay(meta, curves, rows,
                List.of("perfect", "reversed"), List.of(9L, 0L), R, 3, H);

        assertThat(results).hasSize(2 * 2 * 3);
        assertThat(results).filteredOn(x -> x.method().equals("perfect"))
                .allSatisfy(x -> assertThat(x.foundBestConfig()).isTrue());
        // With the whole plan, the best configuration is trained to R: no regret at all.
        assertThat(results).filteredOn(x -> x.method().equals("perfect") && x.budget() == 0)
                .allSatisfy(x -> assertThat(x.regret()).isZero());
        assertThat(results).filteredOn(x -> x.method().equals("reversed") && x.budget() == 9)
                .allSatisfy(x -> {
                    assertThat(x.foundBestConfig()).isFalse();
                    assertThat(x.regret()).isGreaterThan(results.stream().filter(p -> p.method().equals("perfect")
                            && p.budget() == 9).mapToDouble(HyperbandReplay.Result::regret).max().orElseThrow());
                });
        assertThat(results).filteredOn(x -> x.method().equals("vanilla Hyperband")).hasSize(4)
                .allSatisfy(x -> assertThat(x.epochsUsed()).isPositive());
        // A capped search stays within its budget; the whole plan spends more.
        assertThat(results).filteredOn(x -> x.budget() == 9).allSatisfy(x -> assertThat(x.epochsUsed()).isLessThanOrEqualTo(9));
        assertThat(results).filteredOn(x -> x.budget() == 0).allSatisfy(x -> assertThat(x.epochsUsed()).isGreaterThan(9));
    }
}
