package io.hyperstar.hyperband;

import io.hyperstar.testing.CurveTable;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Hyperband's brackets side by side (parallelTrials > 0): the same search, started sooner, with no idle fleet. */
class SideBySideTests {

    private static final CurveTable CURVES = CurveTable.synthetic();

    @Test
    void laterBracketsStartWhileTheFirstRunsAndNeverMoreThanNeeded() {
        // R = 9, eta = 3, 54 configurations: brackets of 9, 5 and 3 first-rung trials.
        Experiment e = ExperimentMachine.create("p", "ds-1", spec(Strategy.HYPERBAND, 20), 54, 0);
        List<TrialOrder> first = ExperimentMachine.start(e, 0).orders();
        // 9 < 20 starts the second bracket, 14 < 20 the third: all three at once.
        assertThat(first.stream().map(TrialOrder::bracket).collect(Collectors.toSet())).containsExactlyInAnyOrder(2, 1, 0);
        assertThat(first).hasSize(9 + 5 + 3);

        Experiment narrow = ExperimentMachine.create("p", "ds-1", spec(Strategy.HYPERBAND, 10), 54, 0);
        List<TrialOrder> start = ExperimentMachine.start(narrow, 0).orders();
        // 9 < 10 starts the second bracket; 14 is not below 10, so the third waits for answers.
        assertThat(start.stream().map(TrialOrder::bracket).collect(Collectors.toSet())).containsExactlyInAnyOrder(2, 1);
        List<TrialOrder> more = List.of();
        for (int i = 0; i < 5 && more.isEmpty(); i++) {
            more = ExperimentMachine.onReport(narrow, TrialReport.success(start.get(i).trialId(), 0.1 * i, 1), 1).orders();
        }
        assertThat(more).isNotEmpty().allSatisfy(o -> assertThat(o.bracket()).isZero());
    }

    @Test
    void withoutABudgetCapTheSearchTrainsTheSameTrialsAsOneBracketAtATime() {
        for (Strategy strategy : List.of(Strategy.HYPERBAND, Strategy.TASK_AWARE_HYPERBAND)) {
            List<Integer> ranking = java.util.stream.IntStream.range(0, 54).map(i -> 53 - i).boxed().toList();
            Simulator.Run alone = run(strategy, 0, ranking);
            Simulator.Run together = run(strategy, 9, ranking);
            assertThat(trialIds(together)).as("%s", strategy).isEqualTo(trialIds(alone));
            assertThat(together.outcome().bestConfigId()).isEqualTo(alone.outcome().bestConfigId());
            assertThat(together.outcome().epochsUsed()).isEqualTo(alone.outcome().epochsUsed());
            assertThat(together.outcome().reason()).isEqualTo(Outcome.Reason.ALL_BRACKETS_DONE);
            // The order differs: the last bracket's trials are asked for before the first bracket's last rung.
            assertThat(together.orders().stream().map(TrialOrder::trialId).toList())
                    .isNotEqualTo(alone.orders().stream().map(TrialOrder::trialId).toList());
        }
    }

    @Test
    void aFailedTrialIsRetriedInItsOwnBracket() {
        Experiment e = ExperimentMachine.create("f", "ds-3", spec(Strategy.HYPERBAND, 30), 54, 0);
        String victim = ExperimentMachine.trialId("f", 1, 0, ExperimentMachine.choose(e, e.plan.get(1), 5).get(0), 0);
        Simulator.Run run = Simulator.run(e, CURVES.forDataset("ds-3"), List.of(victim));
        assertThat(run.orders().stream().map(TrialOrder::trialId)).contains(victim, victim + "-a1", victim + "-a2");
        assertThat(run.outcome().trialsFailed()).isEqualTo(3);

    }

    @Test
    void withABudgetCapABracketStartsBesideOthersOnlyIfItsWholePlanFits() {
        // R = 27, eta = 3, 90 configurations: bracket plans of 81, 78, 90 and 108 epochs.
        Simulator.Curves curves = CURVES.forDataset("ds-2");
        // 108 epochs: the second bracket (78) never fits beside the first (81), so side by side trains exactly what
        // one bracket at a time trains: the whole first bracket, then the second until the budget stops it.
        Simulator.Run alone = Simulator.run(ExperimentMachine.create("b", "ds-2", capped(108, 0), 90, 0), curves);
        Simulator.Run together = Simulator.run(ExperimentMachine.create("b", "ds-2", capped(108, 30), 90, 0), curves);
        assertThat(trialIds(together)).isEqualTo(trialIds(alone));
        assertThat(together.outcome().reason()).isEqualTo(Outcome.Reason.BUDGET_SPENT);

        // 200 epochs: the second bracket fits beside the first, the third (90) does not fit beside both; every
        // bracket that started ran its whole plan before the budget stopped the next.
        Experiment e = ExperimentMachine.create("w", "ds-2", capped(200, 30), 90, 0);
        List<TrialOrder> first = ExperimentMachine.start(e, 0).orders();
        // 27 committed + 54 left of the first bracket's plan + 78 <= 200; then 63 + 54 + 42 + 90 > 200.
        assertThat(first.stream().map(TrialOrder::bracket).collect(Collectors.toSet())).containsExactlyInAnyOrder(3, 2);
        Simulator.Run wide = Simulator.run(ExperimentMachine.create("w", "ds-2", capped(200, 30), 90, 0), curves);
        assertThat(wide.outcome().epochsUsed()).isLessThanOrEqualTo(200);
        for (int s : List.of(3, 2)) {
            int bracket = s;
            assertThat(wide.orders().stream().filter(o -> o.bracket() == bracket && o.epochs() == 27)).as("bracket %d reached R", s).isNotEmpty();
        }
    }

    private static TuningSpec capped(long budget, int parallel) {
        return new TuningSpec(Strategy.HYPERBAND, 27, 3, budget, 42, 0, 2, parallel);
    }

    @Test
    void onAFleetSideBySideBracketsKeepMoreWorkersBusyAndEndSooner() {
        FleetSimulator.Durations durations = (c, from, to) -> (to - from) * (1 + c % 3);
        FleetSimulator.Run alone = FleetSimulator.run(ExperimentMachine.create("a", "ds-2", spec(Strategy.HYPERBAND, 0), 54, 0),
                null, CURVES.forDataset("ds-2"), durations, 9);
        FleetSimulator.Run together = FleetSimulator.run(ExperimentMachine.create("a", "ds-2", spec(Strategy.HYPERBAND, 9), 54, 0),
                null, CURVES.forDataset("ds-2"), durations, 9);
        assertThat(together.utilisation()).isGreaterThan(alone.utilisation());
        assertThat(together.seconds()).isLessThan(alone.seconds());
        assertThat(together.outcome().bestConfigId()).isEqualTo(alone.outcome().bestConfigId());
    }

    private static Simulator.Run run(Strategy strategy, int parallel, List<Integer> ranking) {
        Experiment e = ExperimentMachine.create("s", "ds-2", spec(strategy, parallel), 54, 0);
        return strategy.needsRanking() ? Simulator.runRanked(e, ranking, CURVES.forDataset("ds-2"))
                : Simulator.run(e, CURVES.forDataset("ds-2"));
    }

    private static Set<String> trialIds(Simulator.Run run) {
        return run.orders().stream().map(TrialOrder::trialId).collect(Collectors.toSet());
    }

    private static TuningSpec spec(Strategy s, int parallel) {
        return new TuningSpec(s, 9, 3, 0, 42, 0, 2, parallel);
    }
}
