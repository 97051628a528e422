package io.hyperstar.hyperband;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Hyperband as a state machine over {@link Experiment}: each event (start, ranking, trial result, timeout)
 * updates the state and returns the trials to request and, when it ends, the outcome. No I/O, no clock:
 * the caller passes the time, so the streaming scheduler and the offline simulator run identical searches.
 */
public final class ExperimentMachine {

    /** What an event did to an experiment. */
    public enum Disposition {
        APPLIED,
        /** The same trial had already been answered: ignored, so redelivery is harmless. */
        DUPLICATE,
        /** The trial had timed out (and been retried or given up) before this answer came: recorded only. */
        LATE,
        /** No such trial in this experiment. */
        UNKNOWN_TRIAL,
        /** Nothing to do (no timeout due, ranking not needed). */
        UNCHANGED
    }

    /** The effect of one event: trials to request now and, if the experiment just ended, its outcome. */
    public record Step(Disposition disposition, List<TrialOrder> orders, Outcome completed) {
        static Step of(Disposition d) {
            return new Step(d, List.of(), null);
        }
    }

    private ExperimentMachine() {
    }

    /** A new experiment over a space of one categorical dimension; nothing is requested until {@link #start}. */
    public static Experiment create(String experimentId, String datasetId, TuningSpec spec, int spaceSize, long nowMs) {
        return create(experimentId, datasetId, spec, List.of(spaceSize), nowMs);
    }

    /**
     * A new experiment over a grid with these dimension sizes (row-major ids, as {@code ConfigSpace} numbers them):
     * BOHB models each dimension. Nothing is requested until {@link #start}.
     */
    public static Experiment create(String experimentId, String datasetId, TuningSpec spec, List<Integer> shape, long nowMs) {
        int spaceSize = shape.stream().reduce(1, Math::multiplyExact);
        Experiment e = new Experiment();
        e.experimentId = experimentId;
        e.datasetId = datasetId;
        e.spec = spec;
        e.spaceSize = spaceSize;
        e.dimensionSizes = List.copyOf(shape);
        e.createdAtMs = nowMs;
        e.plan = Hyperband.plan(spec.maxEpochsPerTrial(), spec.eta(), spaceSize);
        return e;
    }

    /**
     * Holds a new search back until its tenant has a free slot ({@link #start} then starts it): it requests nothing, no
     * timeout runs for it, and a cancel ends it as any other.
     */
    public static void queue(Experiment e) {
        if (!e.trials.isEmpty() || e.phase == Experiment.Phase.DONE) {
            throw new IllegalStateException("experiment " + e.experimentId + " has started: it cannot be queued");
        }
        e.phase = Experiment.Phase.QUEUED;
    }

    /** The first brackets' trials, or nothing while a task-aware experiment waits for its ranking. */
    public static Step start(Experiment e, long nowMs) {
        if (e.spec.strategy().needsRanking() && e.ranking == null) {
            e.phase = Experiment.Phase.WAITING_FOR_RANKING;
            return Step.of(Disposition.APPLIED);
        }
        return begin(e, nowMs);
    }

    /** The recommender's ranking arrived (best first); a waiting task-aware experiment starts. */
    public static Step onRanking(Experiment e, List<Integer> ranking, long nowMs) {
        if (e.phase != Experiment.Phase.WAITING_FOR_RANKING) {
            return Step.of(Disposition.UNCHANGED);
        }
        e.ranking = List.copyOf(ranking);
        return begin(e, nowMs);
    }

    /** No usable ranking (refused dataset, or none in time): run the search without it and say so in the result. */
    public static Step fallBack(Experiment e, String why, long nowMs) {
        if (e.phase != Experiment.Phase.WAITING_FOR_RANKING) {
            return Step.of(Disposition.UNCHANGED);
        }
        e.addNote("fell back to " + e.spec.strategy().withoutRanking().title() + ": " + why);
        return begin(e, nowMs);
    }

    public static Step onReport(Experiment e, TrialReport report, long nowMs) {
        Trial t = e.trials.get(report.trialId());
        if (t == null) {
            return Step.of(Disposition.UNKNOWN_TRIAL);
        }
        if (t.status == Trial.Status.TIMED_OUT || t.status == Trial.Status.CANCELLED) {
            t.lateResults++;
            return Step.of(Disposition.LATE);
        }
        if (!t.outstanding() || e.phase == Experiment.Phase.DONE) {
            e.duplicateResults++;
            return Step.of(Disposition.DUPLICATE);
        }
        t.durationMs = report.durationMs();
        t.worker = report.worker();
        t.epochsTrained = report.epochsTrained();
        e.epochsUsed += report.epochsTrained();
        List<TrialOrder> orders = new ArrayList<>();
        if (report.succeeded()) {
            t.status = Trial.Status.SUCCEEDED;
            t.top1 = report.top1();
            if (t.epochs < e.spec.maxEpochsPerTrial()) {
                t.curve = curveFromEpochOne(e, t, report.curve()); // a later rung may resume from it
            }
            if (e.best().map(b -> Experiment.BETTER_FIRST.compare(t, b) < 0).orElse(true)) {
                e.bestTrialId = t.trialId;
                e.epochsUsedAtBest = e.epochsUsed;
            }
        } else {
            t.status = Trial.Status.FAILED;
            t.error = report.error();
            retry(e, t, nowMs, orders);
        }
        return advance(e, nowMs, orders);
    }

    /**
     * Stops the search now, whatever its phase: nothing more is requested, the trials in flight are abandoned (an answer
     * that still comes is recorded as late and acted on no more than a timed-out one's), and the outcome is what was
     * found so far. Not waiting for the trials in flight is the point: a user cancels a search on a wrong dataset or
     * one that costs too much, and its results should neither hold the search open nor reach the meta-dataset.
     * A search already ended is left as it is ({@link Disposition#UNCHANGED}).
     */
    public static Step cancel(Experiment e, String why) {
        if (e.phase == Experiment.Phase.DONE) {
            return Step.of(Disposition.UNCHANGED);
        }
        long abandoned = 0;
        for (Trial t : e.trials.values()) {
            if (t.outstanding()) {
                t.status = Trial.Status.CANCELLED;
                t.error = "cancelled";
                abandoned++;
            }
        }
        String cancelled = "cancelled" + (why.isBlank() ? "" : ": " + why)
                + (abandoned > 0 ? " (" + abandoned + " trial(s) in flight abandoned)" : "");
        e.addNote(cancelled);
        return new Step(Disposition.APPLIED, List.of(), complete(e, Outcome.Reason.CANCELLED));
    }

    /**
     * Shrinks a finished search to what is still read of it once it is old: the request, the ranking and the model that
     * made it, the outcome (with its counts) and the best trial. Everything else, every other trial, is dropped: a
     * search's state is rewritten to the changelog and restored by every instance that takes its partition over, so
     * keeping each finished search whole would make the scheduler's state, and its restore after a rebalance, grow
     * with every search ever run. The full story stays on the event topics (trial-completed, experiment-completed).
     */
    public static void archive(Experiment e) {
        if (e.phase != Experiment.Phase.DONE) {
            throw new IllegalStateException("experiment " + e.experimentId + " is " + e.phase + ": only a finished search is archived");
        }
        Trial best = e.best().orElse(null);
        e.trials = new LinkedHashMap<>();
        if (best != null) {
            e.trials.put(best.trialId, best);
        }
        e.archived = true;
    }

    /** Trials with no answer after {@code timeoutMs} count as failed (and are retried), so no rung stalls forever. */
    public static Step onTimeouts(Experiment e, long nowMs, long timeoutMs) {
        if (e.phase != Experiment.Phase.RUNNING) {
            return Step.of(Disposition.UNCHANGED);
        }
        List<TrialOrder> orders = new ArrayList<>();
        boolean any = false;
        for (Trial t : List.copyOf(e.trials.values())) {
            if (t.outstanding() && nowMs - t.requestedAtMs >= timeoutMs) {
                t.status = Trial.Status.TIMED_OUT;
                t.error = "no result within " + timeoutMs + " ms";
                any = true;
                retry(e, t, nowMs, orders);
            }
        }
        return any ? advance(e, nowMs, orders) : Step.of(Disposition.UNCHANGED);
    }

    /** Waiting task-aware experiments older than {@code timeoutMs} give up on the ranking. */
    public static Step onRankingTimeout(Experiment e, long nowMs, long timeoutMs) {
        if (e.phase == Experiment.Phase.WAITING_FOR_RANKING && nowMs - e.createdAtMs >= timeoutMs) {
            return fallBack(e, "no ranking within " + timeoutMs + " ms", nowMs);
        }
        return Step.of(Disposition.UNCHANGED);
    }

    private static Step begin(Experiment e, long nowMs) {
        e.phase = Experiment.Phase.RUNNING;
        e.bracketIndex = -1;
        List<TrialOrder> orders = new ArrayList<>();
        return advance(e, nowMs, orders);
    }

    /**
     * After every event: ASHA fills its free slots; Hyperband promotes the best 1/eta of each bracket whose current rung
     * has all its final answers, then starts the next brackets while fewer than {@link #width} trials are in flight.
     */
    private static Step advance(Experiment e, long nowMs, List<TrialOrder> orders) {
        if (e.spec.strategy().asynchronous()) {
            // No barrier: the slot this answer freed is filled now. Curves are kept until the end, since any trial
            // below R may still be promoted while it stays in the top 1/eta of its rung.
            Asha.fill(e, nowMs, orders);
        } else {
            completeRungs(e, nowMs, orders);
            startBrackets(e, nowMs, orders);
        }
        return finish(e, orders);
    }

    /**
     * Trials a Hyperband search keeps in flight before it starts another bracket. With {@code parallelTrials} > 0 the
     * brackets run side by side: a later bracket starts whenever fewer than that many trials are in flight, so a fleet
     * is not left idle while a bracket's last rungs train one or two trials. With 0, one at a time: the next bracket
     * starts once nothing is in flight. The brackets are independent (Li et al. 2017, section 3), and each draws its
     * configurations as it would alone, so without a budget cap the search trains the same trials either way.
     */
    private static int width(Experiment e) {
        return Math.max(1, e.spec.parallelTrials());
    }

    private static void startBrackets(Experiment e, long nowMs, List<TrialOrder> orders) {
        while (!e.budgetExhausted && e.bracketIndex + 1 < e.plan.size() && e.outstanding() < width(e)
                && affordable(e, e.plan.get(e.bracketIndex + 1))) {
            e.bracketIndex++;
            Bracket b = e.plan.get(e.bracketIndex);
            for (int config : choose(e, b, b.rungs().get(0).n())) {
                request(e, e.bracketIndex, 0, config, 0, null, 0, nowMs, orders);
            }
        }
    }

    /**
     * With a budget cap, a bracket starts beside others only if its whole plan fits in what the running brackets'
     * plans leave of the budget: otherwise its first rung would spend what their promotions, the longer and more
     * telling trials, need. With none running it starts anyway, as one bracket at a time would, and the budget stops
     * it trial by trial.
     */
    private static boolean affordable(Experiment e, Bracket next) {
        long cap = e.budgetCap();
        if (cap <= 0) {
            return true;
        }
        long reserved = 0;
        boolean running = false;
        for (int bi = 0; bi <= e.bracketIndex; bi++) {
            List<Trial> trials = trialsOf(e, bi);
            if (trials.stream().anyMatch(Trial::outstanding)) {
                // A bracket with nothing in flight has finished: completeRungs has asked for all it will ask.
                running = true;
                long committed = trials.stream().mapToLong(t -> t.epochs - t.resumeFromEpochs).sum();
                reserved += Math.max(0, e.plan.get(bi).plannedEpochs() - committed);
            }
        }
        return !running || e.epochsCommitted + reserved + next.plannedEpochs() <= cap;
    }

    /**
     * Every started bracket whose current rung has its final answers promotes its best 1/eta, resuming them from their
     * checkpoints. Looking again at a rung already completed changes nothing (its promotions exist, or there are none to
     * make), so a search reloaded from any earlier layout goes on from its trials alone.
     */
    private static void completeRungs(Experiment e, long nowMs, List<TrialOrder> orders) {
        for (int bi = 0; bi <= e.bracketIndex; bi++) {
            List<Trial> trials = trialsOf(e, bi);
            int rung = trials.stream().mapToInt(t -> t.rung).max().orElse(-1);
            if (rung < 0 || trials.stream().anyMatch(t -> t.rung == rung && t.outstanding())) {
                continue;
            }
            Bracket b = e.plan.get(bi);
            List<Trial> promoted = rung + 1 >= b.rungs().size() ? List.of() : trials.stream()
                    .filter(t -> t.rung == rung && t.succeeded())
                    .sorted(Experiment.BETTER_FIRST)
                    .limit(b.rungs().get(rung + 1).n())
                    .toList();
            // The rung is complete: only the promoted trials of this bracket can still be resumed from.
            trials.stream().filter(t -> !promoted.contains(t)).forEach(t -> t.curve = List.of());
            for (Trial from : promoted) {
                request(e, bi, rung + 1, from.configId, 0, from.trialId, from.epochs, nowMs, orders);
            }
        }
    }

    private static List<Trial> trialsOf(Experiment e, int bracketIndex) {
        return e.trials.values().stream().filter(t -> t.bracketIndex == bracketIndex).toList();
    }

    /**
     * The trial's validation top-1 from epoch 1 to its epochs: the curve of the trial it resumed from, then the epochs
     * it reported itself. Empty when that cannot be complete (the earlier curve was not kept, as in a search stored
     * before curves were, or the report does not cover the trial's epochs): a curve is from epoch 1 or not at all.
     */
    public static List<Double> curveFromEpochOne(Experiment e, Trial t, List<Double> reported) {
        List<Double> curve = new ArrayList<>();
        if (t.resumeFromTrialId != null) {
            Trial from = e.trials.get(t.resumeFromTrialId);
            if (from != null) {
                curve.addAll(from.curve);
            }
        }
        curve.addAll(reported);
        return curve.size() == t.epochs ? List.copyOf(curve) : List.of();
    }

    private static void retry(Experiment e, Trial failed, long nowMs, List<TrialOrder> orders) {
        if (failed.attempt < e.spec.maxRetries()) {
            request(e, failed.bracketIndex, failed.rung, failed.configId, failed.attempt + 1, failed.resumeFromTrialId,
                    failed.resumeFromEpochs, nowMs, orders);
        }
    }

    /** Asks for a trial of this bracket (index into the plan) and rung, unless the budget cannot pay for it. */
    static void request(Experiment e, int bracketIndex, int rung, int configId, int attempt, String resumeFrom,
                        int resumeFromEpochs, long nowMs, List<TrialOrder> orders) {
        Bracket b = e.plan.get(bracketIndex);
        int epochs = b.rungs().get(rung).epochs();
        TrialOrder order = new TrialOrder(trialId(e.experimentId, b.s(), rung, configId, attempt), configId, epochs,
                b.s(), rung, attempt, resumeFrom, resumeFromEpochs);
        long cap = e.budgetCap();
        if (e.budgetExhausted || (cap > 0 && e.epochsCommitted + order.cost() > cap)) {
            // Once one trial does not fit, nothing more is asked: a search stopped by its budget ends cleanly.
            e.budgetExhausted = true;
            return;
        }
        e.epochsCommitted += order.cost();
        Trial t = new Trial();
        t.trialId = order.trialId();
        t.configId = configId;
        t.bracketIndex = bracketIndex;
        t.bracket = b.s();
        t.rung = rung;
        t.epochs = epochs;
        t.attempt = attempt;
        t.resumeFromTrialId = resumeFrom;
        t.resumeFromEpochs = resumeFromEpochs;
        t.requestedAtMs = nowMs;
        e.trials.put(t.trialId, t);
        orders.add(order);
    }

    private static Step finish(Experiment e, List<TrialOrder> orders) {
        if (e.outstanding() > 0) {
            return new Step(Disposition.APPLIED, orders, null);
        }
        return new Step(Disposition.APPLIED, orders,
                complete(e, e.budgetExhausted ? Outcome.Reason.BUDGET_SPENT : Outcome.Reason.ALL_BRACKETS_DONE));
    }

    private static Outcome complete(Experiment e, Outcome.Reason reason) {
        e.phase = Experiment.Phase.DONE;
        e.trials.values().forEach(t -> t.curve = List.of()); // a finished search is kept for good: it carries no curves
        Trial best = e.best().orElse(null);
        int succeeded = (int) e.trials.values().stream().filter(Trial::succeeded).count();
        int failed = (int) e.trials.values().stream()
                .filter(t -> t.status == Trial.Status.FAILED || t.status == Trial.Status.TIMED_OUT).count();
        e.outcome = new Outcome(reason,
                best == null ? null : best.trialId,
                best == null ? null : best.configId,
                best == null ? null : best.top1,
                best == null ? 0 : best.epochs,
                e.epochsUsed, e.epochsUsedAtBest, e.trials.size(), succeeded, failed, e.note);
        return e.outcome;
    }

    /** Configurations for a bracket's first rung: the ranking's top (task-aware), BOHB's model, or a seeded random draw. */
    static List<Integer> choose(Experiment e, Bracket b, int n) {
        Random rng = new Random(e.spec.seed() * 1_000_003L + b.s());
        if (e.spec.strategy() == Strategy.BOHB) {
            return Bohb.choose(e, n, rng);
        }
        if (e.ranking == null) {
            List<Integer> all = new ArrayList<>(IntStream.range(0, e.spaceSize).boxed().toList());
            Collections.shuffle(all, rng);
            return List.copyOf(all.subList(0, n));
        }
        int explore = (int) Math.round(e.spec.explorationShare() * n);
        List<Integer> chosen = new ArrayList<>(e.ranking.subList(0, Math.min(n - explore, e.ranking.size())));
        List<Integer> rest = new ArrayList<>(IntStream.range(0, e.spaceSize).boxed().filter(c -> !chosen.contains(c)).toList());
        Collections.shuffle(rest, rng);
        chosen.addAll(rest.subList(0, Math.min(n - chosen.size(), rest.size())));
        return List.copyOf(chosen);
    }

    /** Deterministic, so a replayed search asks for the same ids and a worker can recognise repeats. */
    public static String trialId(String experimentId, int bracket, int rung, int configId, int attempt) {
        return experimentId + "-b" + bracket + "-r" + rung + "-c" + configId + (attempt > 0 ? "-a" + attempt : "");
    }
}
