package io.hyperstar.hyperband;

import io.hyperstar.testing.CurveTable;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The clock of a search on a fleet: Hyperband's rungs wait for their slowest trial, ASHA's workers do not wait. */
class FleetSimulatorTests {

    private static final CurveTable CURVES = CurveTable.synthetic();

    @Test
    void hyperbandOnAFleetAsksTheSameTrialsAsTheInstantSimulationAndWaitsForEachRung() {
        // R = 3, eta = 3, 3 configurations, 1 s per epoch, 3 workers: bracket s=1 trains 3 at 1 epoch (1 s), then its
        // best from 1 to 3 epochs (2 s, two workers idle); bracket s=0 trains 2 at 3 epochs (3 s). Ends at 6 s, having
        // kept 3 + 2 + 6 = 11 of 18 worker-seconds busy.
        TuningSpec spec = new TuningSpec(Strategy.HYPERBAND, 3, 3, 0, 1, 0, 0);
        FleetSimulator.Run fleet = FleetSimulator.run(ExperimentMachine.create("h", "ds-1", spec, 3, 0), null,
                CURVES.forDataset("ds-1"), (c, from, to) -> to - from, 3);
        assertThat(fleet.seconds()).isEqualTo(6.0);
        assertThat(fleet.utilisation()).isCloseTo(11.0 / 18, within(1e-9));
        Simulator.Run instant = Simulator.run(ExperimentMachine.create("h", "ds-1", spec, 3, 0), CURVES.forDataset("ds-1"));
        assertThat(fleet.outcome()).isEqualTo(instant.outcome());
    }

    @Test
    void ashaGivesEveryFreedWorkerAJobWhereHyperbandLeavesItIdle() {
        // 54 configurations of unequal cost (1 to 3 s per epoch), R = 9, 9 workers, the same seed and budget.
        FleetSimulator.Durations durations = (c, from, to) -> (to - from) * (1 + c % 3);
        TuningSpec hb = new TuningSpec(Strategy.HYPERBAND, 9, 3, 0, 4, 0, 0);
        TuningSpec asha = new TuningSpec(Strategy.ASHA, 9, 3, 0, 4, 0, 0, 9);
        FleetSimulator.Run h = FleetSimulator.run(ExperimentMachine.create("h", "ds-2", hb, 54, 0), null,
                CURVES.forDataset("ds-2"), durations, 9);
        FleetSimulator.Run a = FleetSimulator.run(ExperimentMachine.create("a", "ds-2", asha, 54, 0), null,
                CURVES.forDataset("ds-2"), durations, 9);
        // Here 0.62 against 0.24: ASHA idles only once every configuration has started and promotions run dry.
        assertThat(a.utilisation()).isGreaterThan(h.utilisation() + 0.2);
        // Both found something, and the best so far only ever rises.
        for (FleetSimulator.Run r : List.of(h, a)) {
            assertThat(r.outcome().bestTop1()).isNotNull();
            assertThat(r.bestOverTime()).isSortedAccordingTo((x, y) -> Double.compare(x[1], y[1]));
            assertThat(r.bestOverTime().get(r.bestOverTime().size() - 1)[1]).isEqualTo(r.outcome().bestTop1());
        }
    }

    @Test
    void withOneWorkerNothingIsIdleAndTheClockIsTheSumOfTheTrials() {
        TuningSpec spec = new TuningSpec(Strategy.HYPERBAND, 9, 3, 0, 2, 0, 0);
        FleetSimulator.Run one = FleetSimulator.run(ExperimentMachine.create("o", "ds-3", spec, 54, 0), null,
                CURVES.forDataset("ds-3"), (c, from, to) -> 0.5 * (to - from), 1);
        assertThat(one.utilisation()).isCloseTo(1.0, within(1e-9));
        assertThat(one.seconds()).isCloseTo(0.5 * one.outcome().epochsUsed(), within(1e-9));
    }
}
