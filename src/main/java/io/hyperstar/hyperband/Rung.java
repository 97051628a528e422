package io.hyperstar.hyperband;

/** One rung of a successive-halving bracket: n configurations, each trained to {@code epochs} in total. */
public record Rung(int index, int n, int epochs) {
}
