package io.hyperstar.hyperband;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Runs an experiment offline against recorded learning curves and training times on a fleet of {@code workers} that
 * take trial requests first in, first out, through the same {@link ExperimentMachine} the scheduler uses. Where
 * {@link Simulator} answers instantly (a budget in epochs), this measures the clock: Hyperband's rungs wait for their
 * slowest trial while idle workers wait with them; ASHA gives every freed worker a job. Discrete events, no threads.
 */
public final class FleetSimulator {

    /** Seconds a worker trains a configuration from {@code fromEpochs} to {@code toEpochs}, as recorded. */
    @FunctionalInterface
    public interface Durations {
        double seconds(int configId, int fromEpochs, int toEpochs);
    }

    /**
     * @param seconds     when the search ended (its last answer), from its start
     * @param utilisation busy worker-seconds over workers x seconds
     * @param bestOverTime the best top-1 the search reported, as (seconds, top-1) each time it improved
     */
    public record Run(Outcome outcome, double seconds, double utilisation, List<double[]> bestOverTime, Experiment state) {
    }

    private record Running(TrialOrder order, double start, double end, long sequence) {
    }

    private FleetSimulator() {
    }

    /** A search that needs no ranking, or a task-aware one whose ranking (best first) arrives as it starts. */
    public static Run run(Experiment e, List<Integer> ranking, Simulator.Curves curves, Durations durations, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("a fleet needs at least one worker, got " + workers);
        }
        if (e.spec.strategy().needsRanking() && ranking == null) {
            throw new IllegalArgumentException(e.spec.strategy() + " needs a ranking");
        }
        ExperimentMachine.Step first = ExperimentMachine.start(e, 0);
        if (e.spec.strategy().needsRanking()) {
            first = ExperimentMachine.onRanking(e, ranking, 0);
        }
        Deque<TrialOrder> waiting = new ArrayDeque<>(first.orders());
        PriorityQueue<Running> running = new PriorityQueue<>(
                Comparator.comparingDouble(Running::end).thenComparingLong(Running::sequence));
        List<double[]> best = new ArrayList<>();
        double now = 0;
        double busy = 0;
        long sequence = 0;
        Outcome outcome = first.completed();
        while (true) {
            while (running.size() < workers && !waiting.isEmpty()) {
                TrialOrder o = waiting.poll();
                double d = durations.seconds(o.configId(), o.resumeFromEpochs(), o.epochs());
                running.add(new Running(o, now, now + d, sequence++));
            }
            if (running.isEmpty()) {
                break;
            }
            Running done = running.poll();
            now = done.end();
            busy += done.end() - done.start();
            TrialReport report = Simulator.success(done.order(), curves, Math.round(1000 * (done.end() - done.start())), "fleet");
            double top1 = report.top1();
            ExperimentMachine.Step step = ExperimentMachine.onReport(e, report, Math.round(1000 * now));
            if (best.isEmpty() || top1 > best.get(best.size() - 1)[1]) {
                best.add(new double[] {now, top1});
            }
            waiting.addAll(step.orders());
            if (step.completed() != null) {
                outcome = step.completed();
            }
        }
        double utilisation = now == 0 ? 0 : busy / (workers * now);
        return new Run(outcome, now, utilisation, List.copyOf(best), e);
    }
}
