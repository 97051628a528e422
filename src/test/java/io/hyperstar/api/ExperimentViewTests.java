package io.hyperstar.api;

import io.hyperstar.hyperband.Experiment;
import io.hyperstar.hyperband.ExperimentMachine;
import io.hyperstar.hyperband.Simulator;
import io.hyperstar.hyperband.Strategy;
import io.hyperstar.hyperband.TuningSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the read API shows of each kind of search. */
class ExperimentViewTests {

    @Test
    void anAshaSearchShowsItsOneBracketWithEveryTrialUnderItsRung() {
        Experiment e = ExperimentMachine.create("v", "ds", new TuningSpec(Strategy.ASHA, 9, 3, 0, 1, 0, 0, 4), 30, 0);
        Simulator.run(e, (c, epochs) -> 0.01 * c + 0.02 * epochs);
        ExperimentView view = ExperimentView.of(e, true);
        assertThat(view.strategy()).isEqualTo("ASHA");
        assertThat(view.brackets()).singleElement().satisfies(b -> {
            assertThat(b.rungs()).extracting(ExperimentView.RungView::epochs).containsExactly(1, 3, 9);
            assertThat(b.rungs()).allSatisfy(r -> assertThat(r.planned()).isZero());
            assertThat(b.rungs().get(0).trials()).hasSize(30);
            assertThat(b.rungs().stream().mapToInt(r -> r.trials().size()).sum()).isEqualTo(e.trials.size());
        });
    }

    @Test
    void aHyperbandSearchShowsEveryPlannedBracket() {
        Experiment e = ExperimentMachine.create("v", "ds", new TuningSpec(Strategy.BOHB, 9, 3, 0, 1, 0, 0), 30, 0);
        Simulator.run(e, (c, epochs) -> 0.01 * c + 0.02 * epochs);
        ExperimentView view = ExperimentView.of(e, true);
        assertThat(view.brackets()).hasSize(3);
        assertThat(view.brackets().get(0).rungs().get(0).planned()).isEqualTo(9);
        assertThat(view.brackets().get(0).rungs().get(0).trials()).hasSize(9);
    }

    /** An archived search still answers what it found and how much it ran; it shows no brackets it no longer has. */
    @Test
    void anArchivedSearchShowsItsResultAndBestTrialAndNoBrackets() {
        Experiment e = ExperimentMachine.create("v", "ds", new TuningSpec(Strategy.TASK_AWARE_HYPERBAND, 9, 3, 0, 1, 0, 0), 30, 0);
        java.util.List<Integer> ranking = java.util.stream.IntStream.range(0, 30).boxed().toList();
        Simulator.runRanked(e, ranking, (c, epochs) -> 0.01 * c + 0.02 * epochs);
        int trials = e.trials.size();
        ExperimentView before = ExperimentView.of(e, true);
        e.completedAtMs = 1_000;
        ExperimentMachine.archive(e);

        ExperimentView view = ExperimentView.of(e, true);
        assertThat(view.archived()).isTrue();
        assertThat(view.completedAtMs()).isEqualTo(1_000);
        assertThat(view.brackets()).isEmpty();
        assertThat(view.trialsRequested()).isEqualTo(trials).isGreaterThan(1);
        assertThat(view.best()).isEqualTo(before.best());
        assertThat(view.outcome()).isEqualTo(before.outcome());
        RankingView r = RankingView.of(e, io.hyperstar.space.ConfigSpace.bundled()).orElseThrow();
        assertThat(r.archived()).isTrue();
        assertThat(r.ranking()).extracting(RankingView.Row::configId).containsExactlyElementsOf(ranking);
        assertThat(r.ranking()).filteredOn(row -> row.trials() > 0).singleElement()
                .satisfies(row -> assertThat(row.bestTop1()).isEqualTo(before.best().top1()));
    }
}
