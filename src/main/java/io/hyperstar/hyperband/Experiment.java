package io.hyperstar.hyperband;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole state of one search, as plain data: the plan, the trials asked and answered, the budget spent.
 * The scheduler keeps one per experiment in a changelogged store; {@link ExperimentMachine} moves it on.
 */
public final class Experiment {

    /**
     * Where a search is. QUEUED: its tenant already runs as many searches as its quota allows, so it waits for one of
     * them to end. Stored by ordinal: a new phase goes last.
     */
    public enum Phase { WAITING_FOR_RANKING, RUNNING, DONE, QUEUED }

    public String experimentId;
    public String datasetId;
    /** Carried into every trial request; the core never reads them. */
    public String tenant;
    public String datasetUri;
    public String datasetFormat;
    public TuningSpec spec;
    public int spaceSize;
    /** Sizes of the space's dimensions (row-major ids); null in state stored before they were kept: one dimension. */
    public List<Integer> dimensionSizes;
    public long createdAtMs;
    public Phase phase = Phase.WAITING_FOR_RANKING;
    /** Configuration ids best first, when a ranking arrived; null for vanilla runs and fallbacks. */
    public List<Integer> ranking;
    /** Version of the model that computed {@link #ranking}; null without one. Shown by the read API only. */
    public String rankingModel;
    /** How long the recommender took and on what device, and the training tasks it ranked like (read API only). */
    public long rankingMillis;
    public String rankingDevice;
    public List<Neighbour> rankedLike = List.of();

    /** A training task and its weight in a neighbour-readout ranking. */
    public record Neighbour(String taskId, double weight) {
    }
    public String note = "";
    public List<Bracket> plan = new ArrayList<>();
    /** Index into {@link #plan} of the last bracket started; each bracket's running rung is that of its newest trials. */
    public int bracketIndex;
    public Map<String, Trial> trials = new LinkedHashMap<>();
    /** Epochs promised to requests sent (the budget check), and epochs workers reported actually training. */
    public long epochsCommitted;
    public long epochsUsed;
    public long epochsUsedAtBest;
    public boolean budgetExhausted;
    public String bestTrialId;
    public int duplicateResults;
    public Outcome outcome;
    /** When the scheduler stored the search as done (its clock, ms); 0 while it runs, and in state of layout 3 or earlier. */
    public long completedAtMs;
    /**
     * The search was archived ({@link ExperimentMachine#archive}) after the retention period: of its trials only the best
     * is kept; the outcome still holds the counts and the request, so a repeated registration is still recognised.
     */
    public boolean archived;

    /** Adds to the note the result carries, after what an earlier step said (a wait, a fallback, a cancel). */
    public void addNote(String text) {
        note = note.isEmpty() ? text : note + "; " + text;
    }

    public Optional<Trial> best() {
        return Optional.ofNullable(bestTrialId).map(trials::get);
    }

    /** The grid's shape, for samplers that model each dimension (BOHB). */
    int[] shape() {
        return dimensionSizes == null ? new int[] {spaceSize} : dimensionSizes.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Most epochs the search may promise: the requested budget; with none, no cap for Hyperband (its plan is the cap)
     * and the epochs of Hyperband's whole plan for ASHA, which has no plan of its own to end it.
     */
    public long budgetCap() {
        if (spec.totalEpochBudget() > 0) {
            return spec.totalEpochBudget();
        }
        return spec.strategy().asynchronous() ? Hyperband.plannedEpochs(plan) : 0;
    }

    public long outstanding() {
        return trials.values().stream().filter(Trial::outstanding).count();
    }

    /** Order of merit between successful trials: accuracy, then the longer training, then the smaller id. */
    static final Comparator<Trial> BETTER_FIRST = Comparator
            .comparing((Trial t) -> t.top1, Comparator.reverseOrder())
            .thenComparing(t -> t.epochs, Comparator.reverseOrder())
            .thenComparingInt(t -> t.configId)
            .thenComparing(t -> t.trialId);
}
