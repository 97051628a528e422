package io.hyperstar.metalearn;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.ensemble.BaggingTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.ensemble.AveragingCombiner;
import org.tribuo.regression.rtree.CARTRegressionTrainer;
import org.tribuo.regression.rtree.impurity.MeanSquaredError;

/**
 * The random-forest regressor of the "meta-features + random forest" baseline (Feurer et al. 2015): a thin wrapper
 * over Tribuo's ({@code org.tribuo:tribuo-regression-tree}), which the project's issue names for this baseline, so
 * the baseline runs on a maintained, published implementation rather than one of ours. {@link RandomForestTrainer}
 * bags {@link CARTRegressionTrainer} trees (mean-squared-error splits, unlimited depth) on bootstrap samples of the
 * rows; {@code minLeaf} is Tribuo's minimum child weight: a node of fewer rows (bootstrap duplicates counted) is not
 * split (unlike our earlier forest, the size of the two children is not bounded; on the synthetic data below, bounding
 * the node at 2 x minLeaf instead made no consistent difference). {@link AveragingCombiner} averages the trees. One
 * output dimension. Both the bootstrap and the per-split feature sampling are seeded, so a fit is deterministic for a
 * fixed seed.
 *
 * <p>Each split draws half of the features ({@link #FEATURES_PER_SPLIT}), not a third as our earlier forest did.
 * That forest drew a third of the features <em>that could still split the node</em>; Tribuo draws from all of them
 * and makes the node a leaf when none of those drawn can split it. With the one-hot configuration features, which
 * turn constant a few splits down, a third stopped trees early: on a synthetic meta-dataset shaped like ours (3
 * task features + 13 one-hot, 24 tasks x 90 configurations, leave-one-task-out) the held-out squared error was about
 * 37% above the earlier forest's with a third, and within 3% of it with half; with 3 features a third is one feature,
 * and the interaction in {@code RandomForestTests} was no longer learnt.
 */
public final class RandomForest {

    /** Tribuo logs "Building model i" at INFO for every tree; a benchmark fits many forests of 100 trees. */
    private static final Logger BAGGING_LOG = Logger.getLogger(BaggingTrainer.class.getName());

    static {
        BAGGING_LOG.setLevel(Level.WARNING);
    }

    /** Fraction of the features drawn at each split; Tribuo takes round(fraction * features), at least 1 here. */
    static final float FEATURES_PER_SPLIT = 0.5f;

    private static final RegressionFactory FACTORY = new RegressionFactory();
    private static final String TARGET = "y";

    private final Model<Regressor> model;
    private final String[] names;

    private RandomForest(Model<Regressor> model, String[] names) {
        this.model = model;
        this.names = names;
    }

    /** Fits {@code trees} trees on bootstrap samples; a node of fewer than {@code minLeaf} rows is not split. */
    public static RandomForest fit(double[][] x, double[] y, int trees, int minLeaf, long seed) {
        if (x.length == 0 || x.length != y.length) {
            throw new IllegalArgumentException("need as many targets as rows, and at least one row: " + x.length
                    + " rows, " + y.length + " targets");
        }
        String[] names = featureNames(x[0].length);
        MutableDataset<Regressor> data = new MutableDataset<>(new SimpleDataSourceProvenance("meta-features", FACTORY),
                FACTORY);
        for (int i = 0; i < x.length; i++) {
            data.add(example(new Regressor(TARGET, y[i]), names, x[i]));
        }
        SplittableRandom seeds = new SplittableRandom(seed);
        CARTRegressionTrainer tree = new CARTRegressionTrainer(Integer.MAX_VALUE, minLeaf, 0f, FEATURES_PER_SPLIT,
                false, new MeanSquaredError(), seeds.nextLong());
        RandomForestTrainer<Regressor> forest = new RandomForestTrainer<>(tree, new AveragingCombiner(), trees,
                seeds.nextLong());
        return new RandomForest(forest.train(data), names);
    }

    public double predict(double[] row) {
        if (row.length != names.length) {
            throw new IllegalArgumentException("expected " + names.length + " features, got " + row.length);
        }
        Example<Regressor> e = example(FACTORY.getUnknownOutput(), names, row);
        return model.predict(e).getOutput().getValues()[0];
    }

    private static Example<Regressor> example(Regressor output, String[] names, double[] row) {
        return new ArrayExample<>(output, names, row);
    }

    /** Zero-padded, so Tribuo's name order is the column order. */
    private static String[] featureNames(int n) {
        String format = "f%0" + String.valueOf(Math.max(0, n - 1)).length() + "d";
        String[] out = new String[n];
        for (int f = 0; f < n; f++) {
            out[f] = String.format(Locale.ROOT, format, f);
        }
        return out;
    }
}
