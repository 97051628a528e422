package io.hyperstar.hyperband;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Runs an experiment offline against recorded learning curves with an instant worker, through the same
 * {@link ExperimentMachine} the streaming scheduler uses. What it returns is what the service would do.
 */
public final class Simulator {

    /** Validation top-1 of a configuration after a number of epochs, as recorded. */
    @FunctionalInterface
    public interface Curves {
        double top1(int configId, int epochs);
    }

    /** Every trial the search asked for, in request order, and how it ended. */
    public record Run(List<TrialOrder> orders, Outcome outcome, Experiment state) {
    }

    private Simulator() {
    }

    public static Run run(Experiment e, Curves curves) {
        return run(e, curves, List.of());
    }

    /** Like {@link #run(Experiment, Curves)}, with the given trial ids failing on every attempt. */
    public static Run run(Experiment e, Curves curves, List<String> failingTrialIds) {
        return drive(e, ExperimentMachine.start(e, 0), curves, failingTrialIds);
    }

    /** A task-aware experiment whose ranking (best first) arrives as soon as it starts. */
    public static Run runRanked(Experiment e, List<Integer> ranking, Curves curves) {
        ExperimentMachine.start(e, 0);
        return drive(e, ExperimentMachine.onRanking(e, ranking, 0), curves, List.of());
    }

    private static Run drive(Experiment e, ExperimentMachine.Step first, Curves curves, List<String> failingTrialIds) {
        List<TrialOrder> all = new ArrayList<>();
        Deque<TrialOrder> queue = new ArrayDeque<>();
        ExperimentMachine.Step step = first;
        Outcome outcome = step.completed();
        all.addAll(step.orders());
        queue.addAll(step.orders());
        while (!queue.isEmpty()) {
            TrialOrder o = queue.poll();
            boolean fails = failingTrialIds.stream().anyMatch(o.trialId()::startsWith);
            TrialReport report = fails
                    ? new TrialReport(o.trialId(), false, 0, List.of(), o.cost(), 0, "simulator", "simulated failure")
                    : success(o, curves, 0, "simulator");
            step = ExperimentMachine.onReport(e, report, 0);
            all.addAll(step.orders());
            queue.addAll(step.orders());
            if (step.completed() != null) {
                outcome = step.completed();
            }
        }
        return new Run(List.copyOf(all), outcome, e);
    }

    /** The answer a worker training the order would give, from the recorded curves: its epochs' top-1 and the last. */
    static TrialReport success(TrialOrder o, Curves curves, long durationMs, String worker) {
        List<Double> curve = IntStream.rangeClosed(o.resumeFromEpochs() + 1, o.epochs())
                .mapToObj(ep -> curves.top1(o.configId(), ep)).toList();
        return new TrialReport(o.trialId(), true, curves.top1(o.configId(), o.epochs()), curve, o.cost(), durationMs, worker, null);
    }
}
