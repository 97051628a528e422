package io.hyperstar.worker;

import io.hyperstar.events.TrialCompleted;
import io.hyperstar.events.TrialRequested;

/** Runs one requested trial and answers it; a bad request is answered FAILED with the reason, never thrown. */
public interface TrialRunner {

    TrialCompleted run(TrialRequested request, String workerId);

    /**
     * The same, for a runner that can give up part-way: {@code cancelled} turns true once the trial's search is cancelled.
     * Runners that answer at once ignore it.
     */
    default TrialCompleted run(TrialRequested request, String workerId, java.util.function.BooleanSupplier cancelled) {
        return run(request, workerId);
    }

    /** A FAILED answer carrying the reason, for requests that cannot be run. */
    static TrialCompleted failed(TrialRequested r, String workerId, String reason, long durationMs) {
        return TrialCompleted.newBuilder()
                .setTrialId(r.getTrialId())
                .setExperimentId(r.getExperimentId())
                .setStatus(io.hyperstar.events.TrialStatus.FAILED)
                .setTop1(0)
                .setCurve(java.util.List.of())
                .setEpochsTrained(0)
                .setDurationMs(durationMs)
                .setWorker(workerId)
                .setError(reason)
                .build();
    }
}
