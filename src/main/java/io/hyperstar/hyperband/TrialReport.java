package io.hyperstar.hyperband;

import java.util.List;

/** A worker's answer to a trial, as the core sees it. */
public record TrialReport(String trialId, boolean succeeded, double top1, List<Double> curve, int epochsTrained,
                          long durationMs, String worker, String error) {

    public TrialReport {
        curve = curve == null ? List.of() : List.copyOf(curve);
    }

    public static TrialReport success(String trialId, double top1, int epochsTrained) {
        return new TrialReport(trialId, true, top1, List.of(top1), epochsTrained, 0, "simulator", null);
    }
}
