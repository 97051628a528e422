package io.hyperstar.recommend;

import io.hyperstar.catalog.DataRoots;
import io.hyperstar.catalog.DatasetException;
import io.hyperstar.catalog.ImageSet;
import io.hyperstar.catalog.TaskData;
import io.hyperstar.events.DatasetFormat;
import io.hyperstar.events.DatasetRegistered;
import io.hyperstar.events.RankingComputed;
import io.hyperstar.events.TaskWeight;
import io.hyperstar.model.HyperStarModel;
import io.hyperstar.model.ImageBatches;
import io.hyperstar.model.ModelArtifact;
import io.hyperstar.model.Ranker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Ranks every configuration for a newly registered dataset from its own images (paper Algorithm 2, one batched
 * pass): validates the dataset, samples B batches of N training images, and answers with the ranking, or with
 * the reason the dataset was refused. Never throws for a bad dataset.
 */
public final class Recommender {

    /** Training tasks named in a ranking event: enough to say what a dataset was ranked like, short enough to read. */
    static final int NEAREST = 5;

    private final HyperStarModel model;
    private final ModelArtifact.Metadata metadata;
    private final DataRoots dataRoots;
    private final int batches;
    private final int perBatch;
    private final int minImages;

    public Recommender(HyperStarModel model, ModelArtifact.Metadata metadata, DataRoots dataRoots, int batches,
                       int perBatch, int minImages) {
        this.model = model;
        this.metadata = metadata;
        this.dataRoots = dataRoots;
        this.batches = batches;
        this.perBatch = perBatch;
        this.minImages = minImages;
    }

    public RankingComputed rank(DatasetRegistered ev) {
        long start = System.nanoTime();
        RankingComputed.Builder out = RankingComputed.newBuilder()
                .setExperimentId(ev.getExperimentId())
                .setDatasetId(ev.getDatasetId())
                .setModelVersion(metadata.version())
                .setConfigSpaceFingerprint(model.space().fingerprint())
                .setRanking(List.of()).setScores(List.of()).setEmbedding(List.of())
                .setDevice(model.manager().getDevice().toString());
        String problem = null;
        Ranker.Ranking r = null;
        Path dir = dataRoots.resolve(ev.getUri());
        if (dir == null) {
            problem = "dataset URI " + ev.getUri() + " is outside the configured data roots " + dataRoots;
        } else if (!Files.isDirectory(dir)) {
            problem = "dataset " + ev.getUri() + " does not exist";
        } else {
            try {
                // The training split's size and shape first, read without its pixels: a dataset of any size or image
                // size is checked without holding it in memory, and only the sampled images are read.
                TaskData.TrainSplit train = TaskData.openTrain(dir);
                problem = check(ev.getFormat(), dir, train);
                if (problem == null) {
                    // Seeded by the experiment, so a redelivered registration gets the very same ranking.
                    int[][] sampled = ImageBatches.sample(train.size(), batches, perBatch, new Random(ev.getExperimentId().hashCode()));
                    int[] distinct = Arrays.stream(sampled).flatMapToInt(Arrays::stream).distinct().sorted().toArray();
                    ImageSet images = train.read(distinct);
                    int[][] positions = new int[sampled.length][];
                    for (int b = 0; b < sampled.length; b++) {
                        positions[b] = Arrays.stream(sampled[b]).map(i -> Arrays.binarySearch(distinct, i)).toArray();
                    }
                    r = Ranker.rank(model, images, positions);
                }
            } catch (DatasetException e) {
                problem = "unreadable dataset: " + e.getMessage();
            }
        }
        if (problem != null) {
            return out.setOk(false).setError(problem).setMillis((System.nanoTime() - start) / 1_000_000).build();
        }
        List<Integer> order = new ArrayList<>(r.order().length);
        for (int c : r.order()) {
            order.add(c);
        }
        List<Double> scores = new ArrayList<>(r.scores().length);
        for (float s : r.scores()) {
            scores.add((double) s);
        }
        List<Float> embedding = new ArrayList<>(r.embedding().length);
        for (float v : r.embedding()) {
            embedding.add(v);
        }
        float[] embedded = r.embedding();
        List<TaskWeight> nearest = model.memory().map(m -> m.nearest(embedded, NEAREST).stream()
                .map(n -> new TaskWeight(n.task(), n.weight())).toList()).orElse(List.of());
        return out.setOk(true).setRanking(order).setScores(scores).setEmbedding(embedding).setNearestTasks(nearest)
                .setMillis((System.nanoTime() - start) / 1_000_000).build();
    }

    private String check(DatasetFormat declared, Path dir, TaskData.TrainSplit train) {
        boolean idx = Files.exists(dir.resolve("train-images-idx3-ubyte.gz"));
        if (idx != (declared == DatasetFormat.IDX)) {
            return "registered as " + declared + " but the dataset on disk is " + (idx ? "IDX" : "an image folder");
        }
        if (train.size() < minImages) {
            return "only " + train.size() + " training images; ranking needs at least " + minImages;
        }
        if (train.height() != 28 || train.width() != 28) {
            return "images are " + train.height() + "x" + train.width() + "; this model reads 28x28 grayscale";
        }
        return null;
    }

    public ModelArtifact.Metadata metadata() {
        return metadata;
    }

    public HyperStarModel model() {
        return model;
    }

    /** The same recommender (data roots, sampling, checks) ranking with another model. */
    public Recommender with(HyperStarModel model, ModelArtifact.Metadata metadata) {
        return new Recommender(model, metadata, dataRoots, batches, perBatch, minImages);
    }
}
