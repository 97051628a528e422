package io.hyperstar.hyperband;

import io.hyperstar.space.ConfigSpace;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** BOHB: later brackets drawn from a model of what did well, on the service's own grid. */
class BohbTests {

    /** The bundled space's shape: learning rate 5, optimizer 2, fine-tuned layers 3, augmentation 3. */
    private static final List<Integer> SHAPE = ConfigSpace.bundled().shape();

    /**
     * A task where one learning rate (index 3) with fine-tuning of all layers (index 2) is clearly best, whatever the
     * optimizer and augmentation: 6 configurations of 90, with some noise on everything.
     */
    private static final Simulator.Curves GOOD_REGION = (c, epochs) -> {
        int[] x = Bohb.coordinates(c, SHAPE.stream().mapToInt(Integer::intValue).toArray());
        double base = x[0] == 3 && x[2] == 2 ? 0.9 : 0.3 + 0.05 * x[0] + 0.03 * x[2];
        return base * (1 - 1.0 / (epochs + 2)) + 0.02 * (((c * 31) % 7) / 7.0);
    };

    @Test
    void gridCoordinatesAreTheConfigSpacesOwnNumbering() {
        ConfigSpace space = ConfigSpace.bundled();
        int[] shape = SHAPE.stream().mapToInt(Integer::intValue).toArray();
        for (ConfigSpace.Config c : space.configs()) {
            int[] x = Bohb.coordinates(c.id(), shape);
            for (int k = 0; k < shape.length; k++) {
                ConfigSpace.Dimension d = space.dimensions().get(k);
                assertThat(d.values().get(x[k])).isEqualTo(c.get(d.name()));
            }
            assertThat(Bohb.id(x, shape)).isEqualTo(c.id());
        }
    }

    @Test
    void laterBracketsConcentrateOnWhatDidWellWhileVanillaHyperbandDoesNot() {
        double bohb = 0;
        double vanilla = 0;
        int seeds = 10;
        for (long seed = 1; seed <= seeds; seed++) {
            bohb += shareOfGoodRegionAfterFirstBracket(Strategy.BOHB, seed);
            vanilla += shareOfGoodRegionAfterFirstBracket(Strategy.HYPERBAND, seed);
        }
        // Uniform draws put 6/90 = 7% of each bracket there; the model (two draws in three), fitted on the results so
        // far, at least three times as many.
        assertThat(vanilla / seeds).isLessThan(0.1);
        assertThat(bohb / seeds).isGreaterThan(0.2);
    }

    @Test
    void theFirstBracketHasNoModelYetAndIsDrawnUniformly() {
        Experiment e = ExperimentMachine.create("u", "ds", spec(Strategy.BOHB, 7), SHAPE, 0);
        assertThat(Bohb.fit(e, e.shape())).isNull();
        List<TrialOrder> first = ExperimentMachine.start(e, 0).orders();
        assertThat(first).hasSize(27);
        assertThat(new HashSet<>(first.stream().map(TrialOrder::configId).toList())).hasSize(27);
        // With d = 4 dimensions, the good set takes the best d + 1 = 5 and the bad set needs 5 more: 10 results.
        for (int i = 0; i < 9; i++) {
            ExperimentMachine.onReport(e, TrialReport.success(first.get(i).trialId(), 0.05 * i, 1), 1);
        }
        assertThat(Bohb.fit(e, e.shape())).isNull();
        ExperimentMachine.onReport(e, TrialReport.success(first.get(9).trialId(), 0.9, 1), 1);
        Bohb.Model model = Bohb.fit(e, e.shape());
        assertThat(model).isNotNull();
        int[] shape = e.shape();
        assertThat(model.good().points.stream().map(p -> Bohb.id(p, shape)).toList()).containsExactlyInAnyOrderElementsOf(
                List.of(first.get(9), first.get(8), first.get(7), first.get(6), first.get(5)).stream().map(TrialOrder::configId).toList());
        assertThat(model.bad().points.stream().map(p -> Bohb.id(p, shape)).toList()).containsExactlyInAnyOrderElementsOf(
                first.subList(0, 5).stream().map(TrialOrder::configId).toList());
    }

    @Test
    void theSameSeedMakesTheSameSearchAndEveryBracketHoldsEachConfigurationOnce() {
        Simulator.Run a = Simulator.run(ExperimentMachine.create("s", "ds", spec(Strategy.BOHB, 3), SHAPE, 0), GOOD_REGION);
        Simulator.Run b = Simulator.run(ExperimentMachine.create("s", "ds", spec(Strategy.BOHB, 3), SHAPE, 0), GOOD_REGION);
        assertThat(a.orders()).isEqualTo(b.orders());
        assertThat(new HashSet<>(a.orders().stream().map(TrialOrder::trialId).toList())).hasSize(a.orders().size());
        assertThat(a.outcome().reason()).isEqualTo(Outcome.Reason.ALL_BRACKETS_DONE);
        assertThat(a.outcome().epochsUsed()).isEqualTo(Hyperband.plannedEpochs(a.state().plan));
    }

    private static double shareOfGoodRegionAfterFirstBracket(Strategy strategy, long seed) {
        Experiment e = ExperimentMachine.create("g", "ds", spec(strategy, seed), SHAPE, 0);
        Simulator.Run run = Simulator.run(e, GOOD_REGION);
        int firstBracket = e.plan.get(0).s();
        Map<Boolean, Long> inRegion = run.orders().stream()
                .filter(o -> o.bracket() != firstBracket && o.rung() == 0)
                .collect(Collectors.partitioningBy(o -> {
                    int[] x = Bohb.coordinates(o.configId(), e.shape());
                    return x[0] == 3 && x[2] == 2;
                }, Collectors.counting()));
        return inRegion.get(true) / (double) (inRegion.get(true) + inRegion.get(false));
    }

    private static TuningSpec spec(Strategy s, long seed) {
        return new TuningSpec(s, 27, 3, 0, seed, 0, 2);
    }
}
