package io.hyperstar.loadtest;

import io.hyperstar.hyperband.Bracket;
import io.hyperstar.hyperband.Hyperband;
import io.hyperstar.hyperband.Rung;

import java.util.ArrayList;
import java.util.List;

/**
 * The load both topologies get: {@code experiments} keys, and per key the waves of trial-completed events a
 * vanilla Hyperband run with no failures produces, in the order the scheduler runs them (one wave per rung;
 * the next wave starts only when the previous one is fully answered).
 *
 * @param waves the rungs of the plan in run order (brackets from s_max down, rungs upwards)
 */
record Workload(int experiments, int maxEpochs, int eta, List<Wave> waves) {

    /** One rung: {@code n} trials of bracket {@code s}, trained from {@code resumeFromEpochs} to {@code epochs}. */
    record Wave(int bracket, int rung, int n, int epochs, int resumeFromEpochs) {
    }

    static Workload hyperband(int experiments, int maxEpochs, int eta, int spaceSize) {
        List<Wave> waves = new ArrayList<>();
        for (Bracket b : Hyperband.plan(maxEpochs, eta, spaceSize)) {
            int previous = 0;
            for (Rung r : b.rungs()) {
                waves.add(new Wave(b.s(), r.index(), r.n(), r.epochs(), previous));
                previous = r.epochs();
            }
        }
        return new Workload(experiments, maxEpochs, eta, List.copyOf(waves));
    }

    int trialsPerExperiment() {
        return waves.stream().mapToInt(Wave::n).sum();
    }

    long totalEvents() {
        return (long) experiments * trialsPerExperiment();
    }

    /** Index of the wave of a bracket's rung, or -1. */
    int waveOf(int bracket, int rung) {
        for (int i = 0; i < waves.size(); i++) {
            if (waves.get(i).bracket() == bracket && waves.get(i).rung() == rung) {
                return i;
            }
        }
        return -1;
    }

    String experimentId(int index) {
        return String.format("exp-%05d", index);
    }

    String datasetOf(int index) {
        return "ds-" + (index % 5 + 1);
    }
}
