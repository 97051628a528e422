package io.hyperstar.hyperband;

/** How each bracket's configurations are chosen. */
public enum Strategy {
    /** Uniformly at random without replacement, seeded. */
    HYPERBAND,
    /** The top of the recommender's ranking, with an optional random exploration share. */
    TASK_AWARE_HYPERBAND;

    public boolean needsRanking() {
        return this == TASK_AWARE_HYPERBAND;
    }
}
