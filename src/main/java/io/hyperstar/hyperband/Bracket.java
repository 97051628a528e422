package io.hyperstar.hyperband;

import java.util.List;

/** One Hyperband bracket: successive halving started with s rungs of promotion ahead of it. */
public record Bracket(int s, List<Rung> rungs) {

    public Bracket {
        rungs = List.copyOf(rungs);
    }

    /** Epochs the bracket trains if every trial succeeds and promoted trials resume from their checkpoints. */
    public long plannedEpochs() {
        long total = 0;
        int previous = 0;
        for (Rung r : rungs) {
            total += (long) r.n() * (r.epochs() - previous);
            previous = r.epochs();
        }
        return total;
    }
}
