package io.hyperstar.metalearn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The ranking metrics against cases computed by hand. */
class MetricsTests {

    @Test
    void trueRankingIsAccuracyDescendingWithTiesById() {
        double[] acc = {0.5, 0.9, 0.5, Double.NaN, 0.9, 0.1};
        assertThat(Metrics.orderDescending(acc)).containsExactly(1, 4, 0, 2, 5, 3);
    }

    @Test
    void ap10PerfectAndDisjointAndPartial() {
        int[] truth = range(0, 20);
        assertThat(Metrics.ap10(truth, truth)).isEqualTo(1.0);
        assertThat(Metrics.ap10(range(10, 20), truth)).isEqualTo(0.0);
        // Relevant items at predicted positions 1, 3 and 10: (1/1 + 2/3 + 3/10) / 10.
        int[] predicted = {0, 10, 1, 11, 12, 13, 14, 15, 16, 2, 3, 4};
        assertThat(Metrics.ap10(predicted, truth)).isCloseTo((1.0 + 2.0 / 3 + 3.0 / 10) / 10, within(1e-12));
        // The same 10 items in reverse order still count as all relevant: every P@k is 1.
        int[] reversed = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
        assertThat(Metrics.ap10(reversed, truth)).isEqualTo(1.0);
        // Only position 10 relevant: (1/10) / 10.
        int[] last = {10, 11, 12, 13, 14, 15, 16, 17, 18, 5};
        assertThat(Metrics.ap10(last, truth)).isCloseTo(0.01, within(1e-12));
    }

    @Test
    void configurationsToBestIsThePositionOfTheFirstBestOne() {
        double[] acc = {0.2, 0.8, 0.5, 0.8};
        assertThat(Metrics.configsToBest(new int[] {2, 0, 3, 1}, acc)).isEqualTo(3);
        assertThat(Metrics.configsToBest(new int[] {1, 0, 2, 3}, acc)).isEqualTo(1);
        assertThat(Metrics.configsToBest(new int[] {0, 2, 1, 3}, acc)).isEqualTo(3);
    }

    @Test
    void spearman() {
        assertThat(Metrics.spearman(new int[] {0, 1, 2, 3}, new int[] {0, 1, 2, 3})).isEqualTo(1.0);
        assertThat(Metrics.spearman(new int[] {0, 1, 2, 3}, new int[] {3, 2, 1, 0})).isEqualTo(-1.0);
        // Positions differ by 1 for ids 0 and 1: 1 - 6 * 2 / (4 * 15) = 0.8.
        assertThat(Metrics.spearman(new int[] {0, 1, 2, 3}, new int[] {1, 0, 2, 3})).isCloseTo(0.8, within(1e-12));
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
