package io.hyperstar.hyperband;

/** One trial of an experiment as the scheduler knows it: what was asked and, once answered, what came back. */
public final class Trial {

    public enum Status { REQUESTED, SUCCEEDED, FAILED, TIMED_OUT }

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
    /** Results that arrived after the trial had timed out: kept for the record, never acted on. */
    public int lateResults;

    public boolean outstanding() {
        return status == Status.REQUESTED;
    }

    public boolean succeeded() {
        return status == Status.SUCCEEDED;
    }
}
