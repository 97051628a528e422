package io.hyperstar.api;

import io.hyperstar.hyperband.Experiment;
import io.hyperstar.hyperband.Trial;
import io.hyperstar.space.ConfigSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ranking a task-aware search started from, joined with what the search then measured: for each configuration,
 * best first as the model ranked it, the trials it got and the best top-1 they reached. This is how a user sees
 * whether the top of the ranking did well on their dataset.
 *
 * @param modelVersion the model that ranked the dataset
 * @param millis       how long the recommender took to rank it, on {@code device}
 * @param rankedLike   the training tasks the model ranked it like, heaviest first, with their weights (the model's
 *                     neighbour readout; empty for a model without one)
 * @param note         what the search says of itself (a fallback, for instance)
 * @param archived     the search was archived after the scheduler's retention period: the ranking is kept, but of its
 *                     measurements only the best trial's (the other rows say 0 trials)
 */
public record RankingView(String experimentId, String datasetId, String strategy, String modelVersion, long millis,
                          String device, List<io.hyperstar.hyperband.Experiment.Neighbour> rankedLike, String note,
                          boolean archived, List<Row> ranking) {

    /**
     * @param trials    trials the search ran of this configuration (every rung and attempt)
     * @param bestTop1  the best validation top-1 they reported; null when none succeeded or none ran
     * @param maxEpochs the most epochs it was trained for in this search; 0 when it was not tried
     */
    public record Row(int rank, int configId, Map<String, String> config, int trials, Double bestTop1, int maxEpochs) {
    }

    /** Empty for a search that has no ranking (a vanilla strategy, one still waiting, or one that fell back). */
    public static Optional<RankingView> of(Experiment e, ConfigSpace space) {
        if (e.ranking == null) {
            return Optional.empty();
        }
        List<Row> rows = new ArrayList<>(e.ranking.size());
        for (int rank = 0; rank < e.ranking.size(); rank++) {
            int config = e.ranking.get(rank);
            List<Trial> tried = e.trials.values().stream().filter(t -> t.configId == config).toList();
            Double best = tried.stream().filter(Trial::succeeded).map(t -> t.top1).max(Double::compare).orElse(null);
            int epochs = tried.stream().filter(Trial::succeeded).mapToInt(t -> t.epochs).max().orElse(0);
            rows.add(new Row(rank + 1, config, space.config(config).values(), tried.size(), best, epochs));
        }
        return Optional.of(new RankingView(e.experimentId, e.datasetId, e.spec.strategy().name(), e.rankingModel,
                e.rankingMillis, e.rankingDevice, e.rankedLike, e.note, e.archived, rows));
    }
}
