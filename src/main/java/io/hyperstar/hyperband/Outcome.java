package io.hyperstar.hyperband;

/** How an experiment ended and what it found. */
public record Outcome(Reason reason, String bestTrialId, Integer bestConfigId, Double bestTop1, int bestEpochs,
                      long epochsUsed, long epochsUsedAtBest, int trialsRequested, int trialsSucceeded,
                      int trialsFailed, String note) {

    /** Stored by ordinal: new values go last. */
    public enum Reason { ALL_BRACKETS_DONE, BUDGET_SPENT, CANCELLED }
}
