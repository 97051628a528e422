package io.hyperstar.train;

import java.nio.file.Path;
import java.util.List;

/**
 * What one trial produced: per-epoch validation and test top-1 (index e is after epoch e+1, from epoch 1 even when
 * the trial resumed), cumulative training seconds per epoch, and where its checkpoint was written.
 */
public record TrialResult(String taskId, int configId, long seed, List<Double> valTop1, List<Double> testTop1,
                          List<Double> seconds, Path checkpoint) {

    public TrialResult {
        valTop1 = List.copyOf(valTop1);
        testTop1 = List.copyOf(testTop1);
        seconds = List.copyOf(seconds);
    }

    public int epochs() {
        return valTop1.size();
    }

    public double finalValTop1() {
        return valTop1.get(valTop1.size() - 1);
    }

    public double totalSeconds() {
        return seconds.isEmpty() ? 0 : seconds.get(seconds.size() - 1);
    }
}
