package io.hyperstar.hyperband;

import java.util.List;

/** One trial of an experiment as the scheduler knows it: what was asked and, once answered, what came back. */
public final class Trial {

    /** Stored by ordinal: new values go last. CANCELLED: still in flight when its experiment was cancelled. */
    public enum Status { REQUESTED, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED }

    public String trialId;
    public int configId;
    public int bracketIndex;
    public int bracket;
    public int rung;
    public int epochs;
    public int attempt;
    public String resumeFromTrialId;
    public int resumeFromEpochs;
    public long requestedAtMs;
    public Status status = Status.REQUESTED;
    public Double top1;
    public int epochsTrained;
    public long durationMs;
    public String worker;
    public String error;
    /** Results that arrived after the trial had timed out or was cancelled: kept for the record, never acted on. */
    public int lateResults;
    /**
     * Validation top-1 from epoch 1 to {@link #epochs}, kept only while a trial of the next rung may resume from this
     * one: the meta-dataset wants a full-budget curve from epoch 1, and a resumed trial reports only its own epochs.
     */
    public List<Double> curve = List.of();

    public boolean outstanding() {
        return status == Status.REQUESTED;
    }

    public boolean succeeded() {
        return status == Status.SUCCEEDED;
    }
}
