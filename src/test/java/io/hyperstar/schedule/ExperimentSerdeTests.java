package io.hyperstar.schedule;

import io.hyperstar.hyperband.Experiment;
import io.hyperstar.hyperband.ExperimentMachine;
import io.hyperstar.hyperband.Strategy;
import io.hyperstar.hyperband.TrialOrder;
import io.hyperstar.hyperband.TrialReport;
import io.hyperstar.hyperband.TuningSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The stored state of an experiment is the experiment: a search reloaded mid-way goes on exactly as before. */
class ExperimentSerdeTests {

    private final ExperimentSerde serde = new ExperimentSerde();

    @Test
    void aReloadedExperimentContinuesExactlyLikeTheOriginal() {
        Experiment original = ExperimentMachine.create("s", "ds", new TuningSpec(Strategy.HYPERBAND, 27, 3, 0, 5, 0, 2), 54, 10);
        List<TrialOrder> first = answerAllButOne(original);
        ExperimentMachine.onReport(original, new TrialReport(first.get(0).trialId(), true, 0.3, List.of(0.3), 1, 5, "w", null), 21);
        original.rankingModel = "model-7";
        original.rankingMillis = 88;
        original.rankingDevice = "gpu(0)";
        original.rankedLike = List.of(new Experiment.Neighbour("fashion-10", 0.6), new Experiment.Neighbour("mnist-10", 0.1));
        Experiment reloaded = roundTrip(original);
        assertThat(reloaded.plan).isEqualTo(original.plan);
        assertThat(reloaded.rankingModel).isEqualTo("model-7");
        assertThat(reloaded.rankingMillis).isEqualTo(88);
        assertThat(reloaded.rankingDevice).isEqualTo("gpu(0)");
        assertThat(reloaded.rankedLike).isEqualTo(original.rankedLike);
        assertThat(reloaded.trials.keySet()).containsExactlyElementsOf(original.trials.keySet());
        // The curves a later rung will continue (the meta-dataset's curves from epoch 1) survive the reload.
        assertThat(reloaded.trials.get(first.get(1).trialId()).curve).containsExactly(0.01);
        assertThat(serde.serializer().serialize("", reloaded)).isEqualTo(serde.serializer().serialize("", original));

        TrialReport last = TrialReport.success(first.get(first.size() - 1).trialId(), 0.9, 1);
        ExperimentMachine.Step a = ExperimentMachine.onReport(original, last, 30);
        ExperimentMachine.Step b = ExperimentMachine.onReport(reloaded, last, 30);
        assertThat(b.orders()).isNotEmpty().isEqualTo(a.orders());
        assertThat(reloaded.bestTrialId).isEqualTo(original.bestTrialId).isEqualTo(last.trialId());
        assertThat(reloaded.duplicateResults).isEqualTo(1);
    }

    @Test
    void aCancelledSearchReloadsCancelledAndALateAnswerStaysLate() {
        Experiment original = ExperimentMachine.create("c", "ds", new TuningSpec(Strategy.HYPERBAND, 27, 3, 0, 5, 0, 2), 54, 10);
        List<TrialOrder> first = answerAllButOne(original);
        ExperimentMachine.cancel(original, "too slow");
        Experiment reloaded = roundTrip(original);
        assertThat(reloaded.phase).isEqualTo(Experiment.Phase.DONE);
        assertThat(reloaded.outcome).isEqualTo(original.outcome);
        assertThat(reloaded.outcome.reason()).isEqualTo(io.hyperstar.hyperband.Outcome.Reason.CANCELLED);
        String abandoned = first.get(first.size() - 1).trialId();
        assertThat(reloaded.trials.get(abandoned).status).isEqualTo(io.hyperstar.hyperband.Trial.Status.CANCELLED);
        ExperimentMachine.Step late = ExperimentMachine.onReport(reloaded, TrialReport.success(abandoned, 0.9, 1), 40);
        assertThat(late.disposition()).isEqualTo(ExperimentMachine.Disposition.LATE);
        assertThat(reloaded.outcome.bestTop1()).as("the late answer changes nothing").isEqualTo(original.outcome.bestTop1());
    }

    /**
     * A search stored by the previous release (state layout 1, written by the serde of commit 1bac296 with the first
     * rung answered but one, as in the test above) reads after an upgrade and goes on exactly as a search that never
     * left layout 2; it only lacks the curves, so its promoted trials' meta-dataset records carry none.
     */
    @Test
    void aSearchStoredByThePreviousReleaseGoesOnAfterTheUpgrade() throws Exception {
        Experiment upgraded = stored(1);
        Experiment current = ExperimentMachine.create("s", "ds", new TuningSpec(Strategy.HYPERBAND, 27, 3, 0, 5, 0, 2), 54, 10);
        List<TrialOrder> first = answerAllButOne(current);
        assertThat(upgraded.trials.keySet()).containsExactlyElementsOf(current.trials.keySet());
        assertThat(upgraded.trials.values()).allSatisfy(t -> assertThat(t.curve).isEmpty());
        assertThat(serde.serializer().serialize("", upgraded)[0]).as("written back in the current layout").isEqualTo((byte) 4);

        TrialReport last = TrialReport.success(first.get(first.size() - 1).trialId(), 0.9, 1);
        ExperimentMachine.Step a = ExperimentMachine.onReport(current, last, 30);
        ExperimentMachine.Step b = ExperimentMachine.onReport(upgraded, last, 30);
        assertThat(b.orders()).isNotEmpty().isEqualTo(a.orders());
        assertThat(upgraded.bestTrialId).isEqualTo(current.bestTrialId);
        // A trial promoted from one answered before the upgrade has no curve to continue: its record gets none, never a
        // wrong one. One promoted from the result answered after the upgrade continues its curve.
        TrialOrder fromOld = b.orders().stream().filter(o -> !o.resumeFromTrialId().equals(last.trialId()))
                .findFirst().orElseThrow();
        List<Double> rest = java.util.Collections.nCopies(fromOld.epochs() - fromOld.resumeFromEpochs(), 0.5);
        assertThat(ExperimentMachine.curveFromEpochOne(upgraded, upgraded.trials.get(fromOld.trialId()), rest)).isEmpty();
        assertThat(ExperimentMachine.curveFromEpochOne(current, current.trials.get(fromOld.trialId()), rest))
                .hasSize(fromOld.epochs());
    }

    /**
     * A search stored by the release before BOHB and ASHA (state layout 2, written by the serde of commit bec2e48 in the
     * same state as above) reads and goes on exactly as one that never left the current layout, curves included.
     */
    @Test
    void aSearchStoredInLayoutTwoGoesOnWithItsCurves() throws Exception {
        Experiment upgraded = stored(2);
        Experiment current = ExperimentMachine.create("s", "ds", new TuningSpec(Strategy.HYPERBAND, 27, 3, 0, 5, 0, 2), 54, 10);
        List<TrialOrder> first = answerAllButOne(current);
        assertThat(upgraded.spec).isEqualTo(current.spec);
        assertThat(upgraded.trials.keySet()).containsExactlyElementsOf(current.trials.keySet());
        assertThat(upgraded.trials.get(first.get(1).trialId()).curve).containsExactly(0.01);
        TrialReport last = TrialReport.success(first.get(first.size() - 1).trialId(), 0.9, 1);
        assertThat(ExperimentMachine.onReport(upgraded, last, 30).orders()).isNotEmpty()
                .isEqualTo(ExperimentMachine.onReport(current, last, 30).orders());
        assertThat(serde.serializer().serialize("", upgraded)[0]).as("written back in the current layout").isEqualTo((byte) 4);
        assertThat(roundTrip(upgraded).trials.keySet()).containsExactlyElementsOf(current.trials.keySet());
    }

    /** BOHB's model needs the space's shape, ASHA and brackets side by side the width: each survives a reload mid-way. */
    @Test
    void reloadedBohbAshaAndSideBySideSearchesContinueExactly() {
        for (Strategy strategy : List.of(Strategy.BOHB, Strategy.ASHA, Strategy.HYPERBAND)) {
            Experiment original = ExperimentMachine.create("m", "ds", new TuningSpec(strategy, 27, 3, 0, 5, 0, 2, 7),
                    List.of(5, 2, 3, 3), 10);
            List<TrialOrder> orders = new java.util.ArrayList<>(ExperimentMachine.start(original, 10).orders());
            for (int i = 0; i < 20; i++) {
                orders.addAll(ExperimentMachine.onReport(original, TrialReport.success(orders.get(i).trialId(), 0.03 * (i % 7), 1), 20).orders());
            }
            Experiment reloaded = roundTrip(original);
            assertThat(reloaded.dimensionSizes).containsExactly(5, 2, 3, 3);
            assertThat(reloaded.spec.parallelTrials()).isEqualTo(7);
            // Answer everything still outstanding in both, in the same order: the same requests follow.
            for (int i = 20; i < orders.size() && i < 200; i++) {
                TrialReport r = TrialReport.success(orders.get(i).trialId(), 0.01 * (i % 11), orders.get(i).cost());
                List<TrialOrder> a = ExperimentMachine.onReport(original, r, 30).orders();
                assertThat(ExperimentMachine.onReport(reloaded, r, 30).orders()).as("%s after answer %d", strategy, i).isEqualTo(a);
                orders.addAll(a);
            }
            assertThat(reloaded.outcome).isEqualTo(original.outcome).isNotNull();
        }
    }

    /**
     * Archiving is what keeps the scheduler's state from growing with every search ever run: a finished full Hyperband
     * search (R = 27, eta = 3, the bundled 90 configurations) shrinks to a tenth of its size or less, and keeps what
     * is still asked of it: the request (a repeated registration is recognised), the outcome and the best trial.
     */
    @Test
    void anArchivedSearchIsATenthOfItsSizeAndKeepsItsRequestOutcomeAndBestTrial() {
        Experiment e = ExperimentMachine.create("exp-2026-11-27-0001", "fashion-10", new TuningSpec(Strategy.HYPERBAND, 27, 3, 0, 5, 0, 2), 90, 10);
        e.tenant = "team-a";
        e.datasetUri = "file:///data/tasks/fashion-10";
        e.datasetFormat = "IDX";
        io.hyperstar.hyperband.Simulator.run(e, (c, epochs) -> Math.min(0.99, 0.4 + c / 300.0 + epochs / 60.0));
        e.completedAtMs = 1_796_000_000_000L;
        int whole = serde.serializer().serialize("", e).length;
        io.hyperstar.hyperband.Trial best = e.best().orElseThrow();
        io.hyperstar.hyperband.Outcome outcome = e.outcome;
        String other = e.trials.keySet().stream().filter(id -> !id.equals(best.trialId)).findFirst().orElseThrow();

        ExperimentMachine.archive(e);
        byte[] archived = serde.serializer().serialize("", e);
        Experiment reloaded = serde.deserializer().deserialize("", archived);
        assertThat(archived.length).as("archived bytes against %d whole", whole).isLessThanOrEqualTo(whole / 10);
        assertThat(reloaded.archived).isTrue();
        assertThat(reloaded.completedAtMs).isEqualTo(1_796_000_000_000L);
        assertThat(reloaded.spec).isEqualTo(e.spec);
        assertThat(reloaded.datasetId).isEqualTo("fashion-10");
        assertThat(reloaded.tenant).isEqualTo("team-a");
        assertThat(reloaded.outcome).isEqualTo(outcome);
        assertThat(reloaded.trials.keySet()).containsExactly(best.trialId);
        assertThat(reloaded.best().orElseThrow().top1).isEqualTo(best.top1);
        // A redelivered answer of the best trial is still a duplicate; one of a dropped trial is unknown.
        assertThat(ExperimentMachine.onReport(reloaded, TrialReport.success(best.trialId, 0.1, 1), 30).disposition())
                .isEqualTo(ExperimentMachine.Disposition.DUPLICATE);
        assertThat(ExperimentMachine.onReport(reloaded, TrialReport.success(other, 0.1, 1), 30).disposition())
                .isEqualTo(ExperimentMachine.Disposition.UNKNOWN_TRIAL);
    }

    /**
     * A finished search stored by the release before archiving (layout 3, written by the serde of commit 23de0db) reads
     * with no end time and not archived: the scheduler dates it at its first check after the upgrade.
     */
    @Test
    void aFinishedSearchStoredInLayoutThreeReadsUndatedAndWholeAndIsArchivedLikeAnyOther() throws Exception {
        Experiment upgraded = stored(3);
        assertThat(upgraded.phase).isEqualTo(Experiment.Phase.DONE);
        assertThat(upgraded.completedAtMs).isZero();
        assertThat(upgraded.archived).isFalse();
        int trials = upgraded.trials.size();
        assertThat(trials).isGreaterThan(1);
        assertThat(upgraded.outcome.trialsRequested()).isEqualTo(trials);
        assertThat(serde.serializer().serialize("", upgraded)[0]).as("written back in the current layout").isEqualTo((byte) 4);
        ExperimentMachine.archive(upgraded);
        assertThat(roundTrip(upgraded).trials).hasSize(1);
    }

    /** The state every fixture holds: the first rung started at t = 10 and answered at t = 20, all but its last trial. */
    private static List<TrialOrder> answerAllButOne(Experiment e) {
        e.tenant = "t";
        List<TrialOrder> first = ExperimentMachine.start(e, 10).orders();
        for (int i = 0; i < first.size() - 1; i++) {
            ExperimentMachine.onReport(e, TrialReport.success(first.get(i).trialId(), 0.01 * i, 1), 20);
        }
        return first;
    }

    /** A fixture written by the serde of an earlier release, in the given layout. */
    private Experiment stored(int layout) throws java.io.IOException {
        byte[] bytes;
        try (var in = ExperimentSerdeTests.class.getResourceAsStream("/state/experiment-v" + layout + ".bin")) {
            bytes = in.readAllBytes();
        }
        assertThat(bytes[0]).isEqualTo((byte) layout);
        return serde.deserializer().deserialize("", bytes);
    }

    private Experiment roundTrip(Experiment e) {
        return serde.deserializer().deserialize("", serde.serializer().serialize("", e));
    }
}
