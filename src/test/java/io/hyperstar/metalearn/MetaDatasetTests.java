package io.hyperstar.metalearn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetaDatasetTests {

    @Test
    void replicatesAreAveragedPerConfigurationOverTheRunsThatHaveAResult() {
        double nan = Double.NaN;
        MetaDataset first = new MetaDataset(2, List.of(
                new MetaDataset.TaskRecord("a", "shapes", 3, 18, new double[] {0.2, 0.4, nan}),
                new MetaDataset.TaskRecord("b", "shapes", 3, 18, new double[] {0.5, 0.5, 0.5})));
        MetaDataset second = new MetaDataset(2, List.of(
                new MetaDataset.TaskRecord("a", "shapes", 3, 18, new double[] {0.4, nan, 0.9})));
        MetaDataset third = new MetaDataset(2, List.of(
                new MetaDataset.TaskRecord("a", "shapes", 3, 18, new double[] {0.6, 0.7, nan})));

        MetaDataset averaged = first.averagedWith(List.of(second, third));

        // a: config 0 over three runs, config 1 over the two that trained it, config 2 only in the second run.
        assertThat(averaged.task("a").valAtR()).containsExactly(new double[] {0.4, 0.55, 0.9},
                org.assertj.core.data.Offset.offset(1e-12));
        // b has no replicate: it keeps its one run.
        assertThat(averaged.task("b").valAtR()).containsExactly(0.5, 0.5, 0.5);
        // The ranking follows the mean: a's best is now configuration 2, which its first run never trained.
        assertThat(averaged.task("a").trueRanking()[0]).isEqualTo(2);
        assertThat(first.averagedWith(List.of()).task("a").valAtR()).containsExactly(0.2, 0.4, nan);
    }
}
