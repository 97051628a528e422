package io.hyperstar.hyperband;

import io.hyperstar.testing.CurveTable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** ASHA: promotions without a rung barrier, a constant number of trials in flight, Hyperband's budget by default. */
class AshaTests {

    private static final CurveTable CURVES = CurveTable.synthetic();

    @Test
    void aTrialIsPromotedAsSoonAsItIsInTheTopThirdWhileItsRungIsStillRunning() {
        // R = 9, eta = 3: rungs of 1, 3 and 9 epochs; 6 trials in flight.
        Experiment e = ExperimentMachine.create("a", "ds-1", spec(Strategy.ASHA, 9, 3, 0, 6), 54, 0);
        List<TrialOrder> first = ExperimentMachine.start(e, 0).orders();
        assertThat(first).hasSize(6).allSatisfy(o -> assertThat(o.rung()).isZero());

        // The first two answers each free a slot for a new configuration: one result in three is none yet.
        List<TrialOrder> afterFirst = ExperimentMachine.onReport(e, TrialReport.success(first.get(0).trialId(), 0.5, 1), 1).orders();
        List<TrialOrder> afterSecond = ExperimentMachine.onReport(e, TrialReport.success(first.get(1).trialId(), 0.7, 1), 2).orders();
        assertThat(afterFirst).singleElement().satisfies(o -> assertThat(o.rung()).isZero());
        assertThat(afterSecond).singleElement().satisfies(o -> assertThat(o.rung()).isZero());

        // The third answer makes the best of three due: it is resumed at 3 epochs while 5 rung-0 trials still run.
        List<TrialOrder> afterThird = ExperimentMachine.onReport(e, TrialReport.success(first.get(2).trialId(), 0.6, 1), 3).orders();
        assertThat(afterThird).singleElement().satisfies(o -> {
            assertThat(o.rung()).isEqualTo(1);
            assertThat(o.epochs()).isEqualTo(3);
            assertThat(o.configId()).isEqualTo(first.get(1).configId());
            assertThat(o.resumeFromTrialId()).isEqualTo(first.get(1).trialId());
            assertThat(o.cost()).isEqualTo(2);
        });
        assertThat(e.trials.values().stream().filter(t -> t.rung == 0 && t.outstanding()).count()).isEqualTo(5);
        assertThat(e.outstanding()).isEqualTo(6);
    }

    @Test
    void byDefaultASearchSpendsWhatHyperbandsWholePlanWouldWithItsWidthInFlight() {
        Experiment e = ExperimentMachine.create("w", "ds-2", spec(Strategy.ASHA, 27, 3, 0, 0), 2_000, 0);
        int width = e.plan.get(0).rungs().get(0).n(); // the default: Hyperband's widest rung
        assertThat(width).isEqualTo(27);
        List<Integer> inFlight = new ArrayList<>();
        Simulator.Curves curves = (c, epochs) -> ((c * 37) % 101) / 101.0 * (1 - 1.0 / (epochs + 1));
        Simulator.Run run = Simulator.run(e, (c, epochs) -> {
            inFlight.add((int) e.outstanding());
            return curves.top1(c, epochs);
        });
        long planned = Hyperband.plannedEpochs(e.plan);
        assertThat(run.outcome().reason()).isEqualTo(Outcome.Reason.BUDGET_SPENT);
        assertThat(run.outcome().epochsUsed()).isLessThanOrEqualTo(planned).isGreaterThan(planned - 27);
        // Until the budget ran short, every answer was met by a new request: always 27 in flight.
        assertThat(inFlight.subList(0, inFlight.size() / 2)).containsOnly(27);
        assertThat(run.orders().stream().filter(o -> o.epochs() == 27)).isNotEmpty();
    }

    @Test
    void onAFiniteSpaceEveryConfigurationRunsOnceAndTheSearchEndsWithAGoodOne() {
        Experiment e = ExperimentMachine.create("w", "ds-2", spec(Strategy.ASHA, 27, 3, 0, 0), 54, 0);
        Simulator.Run run = Simulator.run(e, CURVES.forDataset("ds-2"));
        assertThat(run.outcome().reason()).isEqualTo(Outcome.Reason.ALL_BRACKETS_DONE);
        assertThat(run.orders().stream().filter(o -> o.rung() == 0).map(TrialOrder::configId).sorted().toList())
                .isEqualTo(IntStream.range(0, 54).boxed().toList());
        // Each configuration once per rung; every promotion resumes the same configuration one rung down.
        assertThat(new HashSet<>(run.orders().stream().map(TrialOrder::trialId).toList())).hasSize(run.orders().size());
        assertThat(run.orders().stream().filter(o -> o.rung() > 0)).isNotEmpty().allSatisfy(o ->
                assertThat(o.resumeFromTrialId()).isEqualTo(ExperimentMachine.trialId("w", 3, o.rung() - 1, o.configId(), 0)));
        // The best it reports beats three configurations in four at R.
        double[] atR = IntStream.range(0, 54).mapToDouble(c -> CURVES.top1("ds-2", c, 27)).sorted().toArray();
        assertThat(run.outcome().bestTop1()).isGreaterThan(atR[40]);
        assertThat(run.outcome().epochsUsed()).isLessThan(Hyperband.plannedEpochs(e.plan));
    }

    @Test
    void theSameSeedDrawsTheSameConfigurationsWhateverOrderTheAnswersComeIn() {
        Experiment inOrder = ExperimentMachine.create("s", "ds-1", spec(Strategy.ASHA, 9, 3, 0, 4), 54, 0);
        Experiment reversed = ExperimentMachine.create("s", "ds-1", spec(Strategy.ASHA, 9, 3, 0, 4), 54, 0);
        List<TrialOrder> a = new ArrayList<>(ExperimentMachine.start(inOrder, 0).orders());
        List<TrialOrder> b = new ArrayList<>(ExperimentMachine.start(reversed, 0).orders());
        assertThat(b).isEqualTo(a);
        for (TrialOrder o : List.copyOf(a)) {
            a.addAll(ExperimentMachine.onReport(inOrder, TrialReport.success(o.trialId(), 0.1, 1), 1).orders());
        }
        List<TrialOrder> firstB = new ArrayList<>(b);
        Collections.reverse(firstB);
        for (TrialOrder o : firstB) {
            b.addAll(ExperimentMachine.onReport(reversed, TrialReport.success(o.trialId(), 0.1, 1), 1).orders());
        }
        assertThat(a.stream().filter(o -> o.rung() == 0).map(TrialOrder::configId).toList())
                .isEqualTo(b.stream().filter(o -> o.rung() == 0).map(TrialOrder::configId).toList());
    }

    @Test
    void taskAwareAshaStartsTheRankingsTopAndGoesOnDownTheRanking() {
        Experiment e = ExperimentMachine.create("t", "ds-4", spec(Strategy.TASK_AWARE_ASHA, 9, 3, 0, 5), 54, 0);
        assertThat(ExperimentMachine.start(e, 0).orders()).isEmpty();
        List<Integer> ranking = new ArrayList<>(IntStream.range(0, 54).boxed().toList());
        Collections.shuffle(ranking, new java.util.Random(3));
        List<TrialOrder> first = ExperimentMachine.onRanking(e, ranking, 0).orders();
        assertThat(first.stream().map(TrialOrder::configId).toList()).isEqualTo(ranking.subList(0, 5));
        List<TrialOrder> next = ExperimentMachine.onReport(e, TrialReport.success(first.get(0).trialId(), 0.4, 1), 1).orders();
        assertThat(next).singleElement().satisfies(o -> assertThat(o.configId()).isEqualTo(ranking.get(5)));
    }

    @Test
    void withoutARankingTaskAwareAshaRunsPlainAshaAndSaysSo() {
        Experiment e = ExperimentMachine.create("f", "ds-1", spec(Strategy.TASK_AWARE_ASHA, 9, 3, 0, 3), 54, 0);
        ExperimentMachine.start(e, 0);
        List<TrialOrder> orders = ExperimentMachine.onRankingTimeout(e, 10_000, 5_000).orders();
        Experiment plain = ExperimentMachine.create("f", "ds-1", spec(Strategy.ASHA, 9, 3, 0, 3), 54, 0);
        assertThat(orders).isEqualTo(ExperimentMachine.start(plain, 0).orders());
        assertThat(e.note).startsWith("fell back to ASHA: no ranking within 5000 ms");
    }

    @Test
    void aFailedTrialIsRetriedAtItsRungAndTheSearchStillEnds() {
        Experiment e = ExperimentMachine.create("r", "ds-3", spec(Strategy.ASHA, 9, 3, 0, 0), 54, 0);
        String victim = ExperimentMachine.trialId("r", 2, 0, Asha.newConfiguration(e).orElseThrow(), 0);
        Simulator.Run run = Simulator.run(e, CURVES.forDataset("ds-3"), List.of(victim));
        assertThat(run.orders().stream().map(TrialOrder::trialId)).contains(victim, victim + "-a1", victim + "-a2");
        assertThat(run.outcome().trialsFailed()).isEqualTo(3);
        assertThat(run.outcome().bestTop1()).isNotNull();
    }

    @Test
    void theBestConfigurationClimbsEveryRung() {
        // 4 configurations, R = 4, eta = 2: rungs of 1, 2 and 4 epochs; a configuration's accuracy rises with its id.
        Experiment e = ExperimentMachine.create("x", "ds-1", spec(Strategy.ASHA, 4, 2, 0, 2), 4, 0);
        Simulator.Run run = Simulator.run(e, (c, epochs) -> 0.1 * c + 0.01 * epochs);
        assertThat(run.outcome().reason()).isEqualTo(Outcome.Reason.ALL_BRACKETS_DONE);
        // Once all four answered at rung 0, the top half (3 and 2) is promoted, whatever was promoted earlier.
        assertThat(run.orders().stream().filter(o -> o.rung() == 1).map(TrialOrder::configId).toList()).contains(2, 3);
        assertThat(run.orders().stream().filter(o -> o.rung() == 2).map(TrialOrder::configId).toList()).contains(3);
        assertThat(run.outcome().bestConfigId()).isEqualTo(3);
        assertThat(run.outcome().bestEpochs()).isEqualTo(4);
    }

    private static TuningSpec spec(Strategy s, int r, int eta, long budget, int parallel) {
        return new TuningSpec(s, r, eta, budget, 42, 0, 2, parallel);
    }
}
