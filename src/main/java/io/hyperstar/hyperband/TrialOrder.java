package io.hyperstar.hyperband;

/** A trial the scheduler wants trained; the streaming layer turns it into a TrialRequested event. */
public record TrialOrder(String trialId, int configId, int epochs, int bracket, int rung, int attempt,
                         String resumeFromTrialId, int resumeFromEpochs) {

    /** Epochs this trial adds to the budget: a resumed trial pays only for the epochs past its checkpoint. */
    public int cost() {
        return epochs - resumeFromEpochs;
    }
}
