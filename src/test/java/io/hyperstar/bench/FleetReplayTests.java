package io.hyperstar.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The strategies on fleets of several sizes, by the clock, on a toy task (curves that never cross, 1 s per epoch):
 * Hyperband gains nothing from workers beyond its widest rung, ASHA keeps its workers busier and ends sooner, a
 * perfect ranking makes task-aware Hyperband end on the best configuration.
 */
class FleetReplayTests {

    @TempDir
    Path dir;

    @Test
    void hyperbandWaitsForItsRungsWhereAshaKeepsItsWorkersBusy() throws IOException {
        HyperbandReplayTests.Toy toy = HyperbandReplayTests.toy(dir);
        List<FleetReplay.Result> results = FleetReplay.replay(toy.meta(), toy.curves(), toy.rows(), "perfect",
                List.of(3, 9, 27), HyperbandReplayTests.R, 3, List.of(HyperbandReplayTests.H));

        // 2 seeds x 3 fleets x 7 searches.
        assertThat(results).hasSize(2 * 3 * 7);
        assertThat(results).allSatisfy(x -> assertThat(x.utilisation()).isBetween(0.0, 1.0));
        // R = 9, eta = 3: Hyperband's widest rung holds 9 trials, so 27 workers end no sooner than 9.
        assertThat(seconds(results, "vanilla Hyperband", 27)).isEqualTo(seconds(results, "vanilla Hyperband", 9));
        assertThat(seconds(results, "vanilla Hyperband", 3)).isGreaterThan(seconds(results, "vanilla Hyperband", 9));
        for (int workers : List.of(3, 9, 27)) {
            assertThat(mean(results, "ASHA", workers, FleetReplay.Result::utilisation))
                    .isGreaterThan(mean(results, "vanilla Hyperband", workers, FleetReplay.Result::utilisation));
        }
        assertThat(seconds(results, "ASHA", 9)).isLessThan(seconds(results, "vanilla Hyperband", 9));
        // Side by side, the brackets share the fleet: sooner done, on the same trials.
        assertThat(seconds(results, "vanilla Hyperband, side by side", 27)).isLessThan(seconds(results, "vanilla Hyperband", 27));
        assertThat(mean(results, "vanilla Hyperband, side by side", 27, FleetReplay.Result::regret))
                .isEqualTo(mean(results, "vanilla Hyperband", 27, FleetReplay.Result::regret));
        // With the perfect ranking, task-aware Hyperband's last bracket trains the best configuration to R.
        assertThat(results).filteredOn(x -> x.search().equals("task-aware Hyperband"))
                .allSatisfy(x -> assertThat(x.regret()).isZero());
    }

    private static double seconds(List<FleetReplay.Result> results, String search, int workers) {
        return mean(results, search, workers, FleetReplay.Result::seconds);
    }

    private static double mean(List<FleetReplay.Result> results, String search, int workers,
                               java.util.function.ToDoubleFunction<FleetReplay.Result> f) {
        return results.stream().filter(x -> x.search().equals(search) && x.workers() == workers).mapToDouble(f).average().orElseThrow();
    }
}
