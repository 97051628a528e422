package io.hyperstar.hyperband;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter Tuning", MLSys 2020,
 * Algorithm 2), the streaming-native search: no trial waits for a rung to fill. The search keeps
 * {@link #width} trials in flight; every final answer frees a slot, which goes to
 * <ol>
 *   <li>a promotion, if one is due: from the highest rung down, the best trial among the top 1/eta of that rung's
 *       results so far that has not been promoted yet, resumed one rung up;</li>
 *   <li>else a configuration not tried yet, at the lowest rung: the next of the ranking for task-aware ASHA (with the
 *       exploration share drawn at random), a seeded random one for plain ASHA.</li>
 * </ol>
 * Rungs are those of Hyperband's most exploratory bracket (r_min = R / eta^s_max up to R), so ASHA and Hyperband train
 * the same budgets. The search ends when the budget is spent (by default the epochs Hyperband's whole plan would
 * train, so the two compare at equal cost), or when nothing is left to try and nothing is in flight.
 */
public final class Asha {

    private Asha() {
    }

    /** Trials kept in flight: as asked, or the first rung of Hyperband's most exploratory bracket. */
    public static int width(Experiment e) {
        return e.spec.parallelTrials() > 0 ? e.spec.parallelTrials() : e.plan.get(0).rungs().get(0).n();
    }

    /** Fills every free slot; returns with the orders added (none when no job is due). */
    static void fill(Experiment e, long nowMs, List<TrialOrder> orders) {
        e.bracketIndex = 0;
        while (!e.budgetExhausted && e.outstanding() < width(e)) {
            Optional<Trial> promotion = promotion(e);
            if (promotion.isPresent()) {
                Trial from = promotion.get();
                ExperimentMachine.request(e, 0, from.rung + 1, from.configId, 0, from.trialId, from.epochs, nowMs, orders);
            } else {
                Optional<Integer> fresh = newConfiguration(e);
                if (fresh.isEmpty()) {
                    return; // every configuration started: only promotions can still come, as answers arrive
                }
                ExperimentMachine.request(e, 0, 0, fresh.get(), 0, null, 0, nowMs, orders);
            }
        }
    }

    /** From the highest rung that can promote down: the best unpromoted trial in the top 1/eta of its rung. */
    static Optional<Trial> promotion(Experiment e) {
        Bracket b = e.plan.get(0);
        for (int k = b.rungs().size() - 2; k >= 0; k--) {
            int rung = k;
            List<Trial> done = e.trials.values().stream()
                    .filter(t -> t.rung == rung && t.succeeded())
                    .sorted(Experiment.BETTER_FIRST)
                    .toList();
            Set<Integer> promoted = e.trials.values().stream()
                    .filter(t -> t.rung == rung + 1)
                    .map(t -> t.configId)
                    .collect(Collectors.toSet());
            Optional<Trial> due = done.subList(0, done.size() / e.spec.eta()).stream()
                    .filter(t -> !promoted.contains(t.configId))
                    .findFirst();
            if (due.isPresent()) {
                return due;
            }
        }
        return Optional.empty();
    }

    /** The next configuration never started, or empty when all have been. */
    static Optional<Integer> newConfiguration(Experiment e) {
        Set<Integer> started = e.trials.values().stream()
                .filter(t -> t.rung == 0)
                .map(t -> t.configId)
                .collect(Collectors.toSet());
        if (started.size() >= e.spaceSize) {
            return Optional.empty();
        }
        // One generator per draw, seeded by the draw's index: the same search draws the same configurations whatever
        // order its answers came in, and a restored search needs no generator state.
        Random rng = new Random(e.spec.seed() * 1_000_003L + 7_919L * started.size());
        if (e.ranking != null && rng.nextDouble() >= e.spec.explorationShare()) {
            for (int c : e.ranking) {
                if (!started.contains(c)) {
                    return Optional.of(c);
                }
            }
        }
        List<Integer> free = new ArrayList<>();
        for (int c = 0; c < e.spaceSize; c++) {
            if (!started.contains(c)) {
                free.add(c);
            }
        }
        return Optional.of(free.get(rng.nextInt(free.size())));
    }
}
