package io.hyperstar.hyperband;

/**
 * What a user asked for: the strategy and its budget. Validated on construction so an absurd request
 * is refused with a reason instead of running.
 *
 * @param totalEpochBudget epochs the experiment may train in all; 0 means Hyperband's own plan is the cap
 * @param maxRetries       how many times a failed trial is tried again before it counts as failed
 * @param parallelTrials   the trials the platform's fleet can train at once. ASHA keeps this many in flight (each answer
 *                         frees one slot); 0 means as many as the first rung of Hyperband's most exploratory bracket.
 *                         Hyperband strategies with a value above 0 run their brackets side by side, starting the next
 *                         whenever fewer are in flight; with 0, one bracket at a time
 */
public record TuningSpec(Strategy strategy, int maxEpochsPerTrial, int eta, long totalEpochBudget, long seed,
                         double explorationShare, int maxRetries, int parallelTrials) {

    /** Upper bound on R, so that a typo (R = 10^9) cannot plan an endless search. */
    public static final int MAX_EPOCHS_LIMIT = 10_000;
    /** Upper bound on ASHA's trials in flight: more than any fleet, so a typo cannot flood the trial topic. */
    public static final int MAX_PARALLEL_TRIALS = 10_000;

    /** Searches other than ASHA: the width comes from the bracket plan. */
    public TuningSpec(Strategy strategy, int maxEpochsPerTrial, int eta, long totalEpochBudget, long seed,
                      double explorationShare, int maxRetries) {
        this(strategy, maxEpochsPerTrial, eta, totalEpochBudget, seed, explorationShare, maxRetries, 0);
    }

    public TuningSpec {
        if (strategy == null) {
            throw new IllegalArgumentException("strategy is missing");
        }
        if (maxEpochsPerTrial < 1 || maxEpochsPerTrial > MAX_EPOCHS_LIMIT) {
            throw new IllegalArgumentException("maxEpochsPerTrial (R) must be in 1.." + MAX_EPOCHS_LIMIT + ", got " + maxEpochsPerTrial);
        }
        if (eta < 2) {
            throw new IllegalArgumentException("eta must be at least 2, got " + eta);
        }
        if (totalEpochBudget < 0) {
            throw new IllegalArgumentException("totalEpochBudget must be >= 0 (0 = no cap), got " + totalEpochBudget);
        }
        if (!(explorationShare >= 0.0 && explorationShare <= 1.0)) {
            throw new IllegalArgumentException("explorationShare must be in [0, 1], got " + explorationShare);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
        }
        if (parallelTrials < 0 || parallelTrials > MAX_PARALLEL_TRIALS) {
            throw new IllegalArgumentException("parallelTrials must be in 0.." + MAX_PARALLEL_TRIALS + " (0 = default), got " + parallelTrials);
        }
    }
}
