package io.hyperstar.hyperband;

import io.hyperstar.testing.CurveTable;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HyperbandTests {

    private static final CurveTable CURVES = CurveTable.synthetic();

    @Test
    void planReproducesLiEtAlTable1() {
        // Li et al., JMLR 2017, Table 1: R = 81, eta = 3; (n_i, r_i) for every bracket s and rung i.
        int[][][] table = {
                {{81, 1}, {27, 3}, {9, 9}, {3, 27}, {1, 81}},
                {{34, 3}, {11, 9}, {3, 27}, {1, 81}},
                {{15, 9}, {5, 27}, {1, 81}},
                {{8, 27}, {2, 81}},
                {{5, 81}},
        };
        List<Bracket> plan = Hyperband.plan(81, 3, 10_000);
        assertThat(plan).hasSize(5);
        for (int b = 0; b < table.length; b++) {
            assertThat(plan.get(b).s()).isEqualTo(4 - b);
            assertThat(plan.get(b).rungs()).hasSize(table[b].length);
            for (int i = 0; i < table[b].length; i++) {
                Rung r = plan.get(b).rungs().get(i);
                assertThat(new int[]{r.n(), r.epochs()}).as("bracket s=%d rung %d", 4 - b, i).containsExactly(table[b][i]);
            }
        }
    }

    @Test
    void planIsCappedAtTheSizeOfTheSpace() {
        List<Bracket> plan = Hyperband.plan(81, 3, 54);
        assertThat(plan.get(0).rungs().get(0).n()).isEqualTo(54);
        assertThat(plan.get(0).rungs().get(1).n()).isEqualTo(18);
        assertThat(plan.get(1).rungs().get(0).n()).isEqualTo(34);
        assertThat(plan).allSatisfy(b -> assertThat(b.rungs()).allSatisfy(r -> assertThat(r.n()).isBetween(1, 54)));
    }

    @Test
    void sMaxIsExactForPowersOfEta() {
        assertThat(Hyperband.sMax(81, 3)).isEqualTo(4);
        assertThat(Hyperband.sMax(27, 3)).isEqualTo(3);
        assertThat(Hyperband.sMax(26, 3)).isEqualTo(2);
        assertThat(Hyperband.sMax(1, 3)).isZero();
        assertThat(Hyperband.sMax(1000, 10)).isEqualTo(3);
    }

    @Test
    void absurdRequestsAreRefusedWithAReason() {
        assertThatThrownBy(() -> spec(Strategy.HYPERBAND, 0, 3, 0)).hasMessageContaining("maxEpochsPerTrial");
        assertThatThrownBy(() -> spec(Strategy.HYPERBAND, 9, 1, 0)).hasMessageContaining("eta must be at least 2");
        assertThatThrownBy(() -> spec(Strategy.HYPERBAND, 9, 3, -5)).hasMessageContaining("totalEpochBudget");
        assertThatThrownBy(() -> spec(Strategy.HYPERBAND, 2_000_000, 3, 0)).hasMessageContaining("maxEpochsPerTrial");
        assertThatThrownBy(() -> new TuningSpec(Strategy.HYPERBAND, 9, 3, 0, 1, 1.5, 0)).hasMessageContaining("explorationShare");
    }

    @Test
    void vanillaRunPromotesTheTopThirdAndPaysOnlyForExtraEpochsWhenResuming() {
        Experiment e = ExperimentMachine.create("exp", "ds-1", spec(Strategy.HYPERBAND, 27, 3, 0), 54, 0);
        Simulator.Run run = Simulator.run(e, CURVES.forDataset("ds-1"));

        // Every planned trial of every rung was requested, and only those.
        int planned = e.plan.stream().flatMap(b -> b.rungs().stream()).mapToInt(Rung::n).sum();
        assertThat(run.orders()).hasSize(planned);
        assertThat(new HashSet<>(run.orders().stream().map(TrialOrder::trialId).toList())).hasSize(planned);

        // Promotion: rung 1 of the first bracket holds exactly the top 9 of rung 0's 27, by accuracy after 1 epoch.
        List<TrialOrder> rung0 = run.orders().stream().filter(o -> o.bracket() == 3 && o.rung() == 0).toList();
        List<Integer> expectedTop = rung0.stream()
                .sorted(Comparator.comparingDouble((TrialOrder o) -> -CURVES.top1("ds-1", o.configId(), 1)).thenComparingInt(TrialOrder::configId))
                .limit(9).map(TrialOrder::configId).sorted().toList();
        List<Integer> rung1 = run.orders().stream().filter(o -> o.bracket() == 3 && o.rung() == 1).map(TrialOrder::configId).sorted().toList();
        assertThat(rung1).isEqualTo(expectedTop);
        assertThat(run.orders().stream().filter(o -> o.rung() > 0))
                .allSatisfy(o -> assertThat(o.resumeFromTrialId()).isEqualTo(ExperimentMachine.trialId("exp", o.bracket(), o.rung() - 1, o.configId(), 0)));

        // Budget: resumed trials cost only their extra epochs, so the total equals the plan's own accounting.
        assertThat(run.outcome().epochsUsed()).isEqualTo(Hyperband.plannedEpochs(e.plan));
        assertThat(run.outcome().reason()).isEqualTo(Outcome.Reason.ALL_BRACKETS_DONE);

        // The result is the best of everything trained.
        double best = run.orders().stream().mapToDouble(o -> CURVES.top1("ds-1", o.configId(), o.epochs())).max().orElseThrow();
        assertThat(run.outcome().bestTop1()).isEqualTo(best);
    }

    @Test
    void sameSeedSameSearchOtherSeedOtherDraws() {
        List<TrialOrder> a = Simulator.run(ExperimentMachine.create("x", "ds-2", spec(Strategy.HYPERBAND, 9, 3, 0), 54, 0), CURVES.forDataset("ds-2")).orders();
        List<TrialOrder> b = Simulator.run(ExperimentMachine.create("x", "ds-2", spec(Strategy.HYPERBAND, 9, 3, 0), 54, 0), CURVES.forDataset("ds-2")).orders();
        TuningSpec other = new TuningSpec(Strategy.HYPERBAND, 9, 3, 0, 8, 0, 2);
        List<TrialOrder> c = Simulator.run(ExperimentMachine.create("x", "ds-2", other, 54, 0), CURVES.forDataset("ds-2")).orders();
        assertThat(a).isEqualTo(b);
        assertThat(c.stream().map(TrialOrder::configId).toList()).isNotEqualTo(a.stream().map(TrialOrder::configId).toList());
    }

    @Test
    void totalBudgetStopsTheSearchBeforeItIsExceeded() {
        TuningSpec capped = spec(Strategy.HYPERBAND, 27, 3, 60);
        Simulator.Run run = Simulator.run(ExperimentMachine.create("b", "ds-3", capped, 54, 0), CURVES.forDataset("ds-3"));
        assertThat(run.outcome().reason()).isEqualTo(Outcome.Reason.BUDGET_SPENT);
        assertThat(run.outcome().epochsUsed()).isLessThanOrEqualTo(60).isEqualTo(run.orders().stream().mapToLong(TrialOrder::cost).sum());
        assertThat(run.outcome().bestTop1()).isNotNull();
    }

    @Test
    void failedTrialIsRetriedThenCountsAsFailedSoTheRungNeverStalls() {
        Experiment e = ExperimentMachine.create("f", "ds-1", spec(Strategy.HYPERBAND, 9, 3, 0), 54, 0);
        String victim = ExperimentMachine.trialId("f", 2, 0, ExperimentMachine.choose(e, e.plan.get(0), 9).get(0), 0);
        Simulator.Run run = Simulator.run(e, CURVES.forDataset("ds-1"), List.of(victim));
        List<String> ids = run.orders().stream().map(TrialOrder::trialId).toList();
        assertThat(ids).contains(victim, victim + "-a1", victim + "-a2").doesNotContain(victim + "-a3");
        assertThat(run.outcome().reason()).isEqualTo(Outcome.Reason.ALL_BRACKETS_DONE);
        assertThat(run.outcome().trialsFailed()).isEqualTo(3);
    }

    @Test
    void taskAwareFillsEachBracketWithTheTopOfTheRanking() {
        Experiment e = ExperimentMachine.create("t", "ds-4", spec(Strategy.TASK_AWARE_HYPERBAND, 9, 3, 0), 54, 0);
        assertThat(ExperimentMachine.start(e, 0).orders()).isEmpty();
        assertThat(e.phase).isEqualTo(Experiment.Phase.WAITING_FOR_RANKING);
        List<Integer> ranking = new java.util.ArrayList<>(java.util.stream.IntStream.range(0, 54).boxed().toList());
        java.util.Collections.reverse(ranking);
        List<TrialOrder> first = ExperimentMachine.onRanking(e, ranking, 0).orders();
        assertThat(first.stream().map(TrialOrder::configId).toList()).isEqualTo(ranking.subList(0, 9));
    }

    @Test
    void duplicateAndUnknownResultsChangeNothing() {
        Experiment e = ExperimentMachine.create("d", "ds-1", spec(Strategy.HYPERBAND, 9, 3, 0), 54, 0);
        TrialOrder o = ExperimentMachine.start(e, 0).orders().get(0);
        TrialReport r = TrialReport.success(o.trialId(), 0.5, 1);
        assertThat(ExperimentMachine.onReport(e, r, 1).disposition()).isEqualTo(ExperimentMachine.Disposition.APPLIED);
        long used = e.epochsUsed;
        assertThat(ExperimentMachine.onReport(e, r, 2).disposition()).isEqualTo(ExperimentMachine.Disposition.DUPLICATE);
        assertThat(ExperimentMachine.onReport(e, TrialReport.success("d-b9-r0-c0", 0.5, 1), 2).disposition())
                .isEqualTo(ExperimentMachine.Disposition.UNKNOWN_TRIAL);
        assertThat(e.epochsUsed).isEqualTo(used);
    }

    @Test
    void timedOutTrialIsRetriedAndItsLateAnswerHasNoEffect() {
        Experiment e = ExperimentMachine.create("l", "ds-1", spec(Strategy.HYPERBAND, 1, 2, 0), 3, 0);
        List<TrialOrder> orders = ExperimentMachine.start(e, 0).orders();
        assertThat(orders).hasSize(1);
        ExperimentMachine.Step step = ExperimentMachine.onTimeouts(e, 1_000, 500);
        assertThat(step.orders()).extracting(TrialOrder::attempt).containsExactly(1);
        assertThat(ExperimentMachine.onReport(e, TrialReport.success(orders.get(0).trialId(), 0.9, 1), 1_100).disposition())
                .isEqualTo(ExperimentMachine.Disposition.LATE);
        ExperimentMachine.Step done = ExperimentMachine.onReport(e, TrialReport.success(step.orders().get(0).trialId(), 0.7, 1), 1_200);
        assertThat(done.completed()).isNotNull();
        assertThat(done.completed().bestTop1()).isEqualTo(0.7);
    }

    private static TuningSpec spec(Strategy s, int r, int eta, long budget) {
        return new TuningSpec(s, r, eta, budget, 42, 0, 2);
    }

}
