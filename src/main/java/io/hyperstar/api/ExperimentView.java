package io.hyperstar.api;

import io.hyperstar.hyperband.Bracket;
import io.hyperstar.hyperband.Experiment;
import io.hyperstar.hyperband.Outcome;
import io.hyperstar.hyperband.Rung;
import io.hyperstar.hyperband.Trial;

import java.util.List;

/**
 * What the read API shows of an experiment: its plan, every trial by bracket and rung, the best so far. An archived
 * search (finished longer ago than the scheduler's retention) shows its result and best trial, and no brackets.
 *
 * @param createdAtMs   when the scheduler registered the search (ms since the epoch): the list's order, newest first
 * @param completedAtMs when the search was stored as done (ms since the epoch); 0 while it runs
 * @param archived      its trials other than the best are no longer kept
 */
public record ExperimentView(String experimentId, String datasetId, String tenant, String strategy, String phase,
                             int maxEpochsPerTrial, int eta, long totalEpochBudget, long seed,
                             long epochsCommitted, long epochsUsed, TrialView best, Outcome outcome, String note,
                             int trialsRequested, int duplicateResults, long createdAtMs, long completedAtMs, boolean archived,
                             List<BracketView> brackets) {

    public record BracketView(int s, List<RungView> rungs) {
    }

    /** {@code planned}: the trials Hyperband's plan gives the rung; 0 for ASHA, which plans none ahead. */
    public record RungView(int index, int planned, int epochs, List<TrialView> trials) {
    }

    public record TrialView(String trialId, int configId, int epochs, int attempt, String status, Double top1,
                            int epochsTrained, long durationMs, String worker, String error, String resumeFromTrialId) {

        static TrialView of(Trial t) {
            return new TrialView(t.trialId, t.configId, t.epochs, t.attempt, t.status.name(), t.top1, t.epochsTrained,
                    t.durationMs, t.worker, t.error, t.resumeFromTrialId);
        }
    }

    /** The summary used by the list endpoint: no trials. */
    public static ExperimentView summary(Experiment e) {
        return of(e, false);
    }

    public static ExperimentView of(Experiment e, boolean withTrials) {
        // ASHA runs one bracket, the plan's first, with as many trials per rung as it earns.
        boolean asha = e.spec.strategy().asynchronous();
        List<BracketView> brackets = !withTrials || e.archived ? List.of() : java.util.stream.IntStream.range(0, asha ? 1 : e.plan.size())
                .mapToObj(i -> {
                    Bracket b = e.plan.get(i);
                    return new BracketView(b.s(), b.rungs().stream().map((Rung r) -> new RungView(r.index(), asha ? 0 : r.n(), r.epochs(),
                            e.trials.values().stream().filter(t -> t.bracketIndex == i && t.rung == r.index())
                                    .map(TrialView::of).toList())).toList());
                }).toList();
        return new ExperimentView(e.experimentId, e.datasetId, e.tenant, e.spec.strategy().name(), e.phase.name(),
                e.spec.maxEpochsPerTrial(), e.spec.eta(), e.spec.totalEpochBudget(), e.spec.seed(), e.epochsCommitted,
                e.epochsUsed, e.best().map(TrialView::of).orElse(null), e.outcome, e.note,
                e.archived ? e.outcome.trialsRequested() : e.trials.size(), e.duplicateResults, e.createdAtMs, e.completedAtMs, e.archived,
                brackets);
    }
}
