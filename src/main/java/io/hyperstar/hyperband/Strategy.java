package io.hyperstar.hyperband;

/**
 * How a search chooses its configurations and when it promotes them. The order is part of the scheduler's stored
 * state (by ordinal): new strategies go at the end.
 */
public enum Strategy {
    /** Hyperband's brackets, each filled uniformly at random without replacement, seeded. */
    HYPERBAND,
    /** Hyperband's brackets, each filled with the top of the recommender's ranking, with an optional random share. */
    TASK_AWARE_HYPERBAND,
    /**
     * Hyperband's brackets, each filled by BOHB's model (Falkner et al., ICML 2018): a density ratio of good to bad
     * configurations fitted on the results so far, with a third of the draws at random ({@link Bohb}).
     */
    BOHB,
    /**
     * Asynchronous successive halving (Li et al., MLSys 2020): one bracket with no rung barrier; every answer frees a
     * slot that goes to a promotion if one is due, else to a new configuration drawn at random ({@link Asha}).
     */
    ASHA,
    /** ASHA whose new configurations come from the recommender's ranking, best first, with the same random share. */
    TASK_AWARE_ASHA;

    public boolean needsRanking() {
        return this == TASK_AWARE_HYPERBAND || this == TASK_AWARE_ASHA;
    }

    /** No rung barrier: trials are promoted as soon as they qualify. */
    public boolean asynchronous() {
        return this == ASHA || this == TASK_AWARE_ASHA;
    }

    /** What a task-aware search that got no ranking runs instead. */
    public Strategy withoutRanking() {
        return switch (this) {
            case TASK_AWARE_HYPERBAND -> HYPERBAND;
            case TASK_AWARE_ASHA -> ASHA;
            default -> this;
        };
    }

    /** As users read it in notes and logs. */
    public String title() {
        return switch (this) {
            case HYPERBAND -> "vanilla Hyperband";
            case TASK_AWARE_HYPERBAND -> "task-aware Hyperband";
            case BOHB -> "BOHB";
            case ASHA -> "ASHA";
            case TASK_AWARE_ASHA -> "task-aware ASHA";
        };
    }
}
