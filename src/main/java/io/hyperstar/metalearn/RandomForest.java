package io.hyperstar.metalearn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A small random-forest regressor (bagged CART trees, a random subset of features per split), for the
 * "meta-features + random forest" baseline of Feurer et al. as the paper uses it. Written here rather than pulling
 * in Tribuo, whose regression trees bring protobuf, jline, opencsv and commons-beanutils into the service's classpath.
 */
public final class RandomForest {

    private record Node(int feature, double threshold, Node left, Node right, double value) {
        boolean leaf() {
            return left == null;
        }
    }

    private final List<Node> trees;

    private RandomForest(List<Node> trees) {
        this.trees = trees;
    }

    /** Fits {@code trees} trees on bootstrap samples; {@code minLeaf} rows at least per leaf. */
    public static RandomForest fit(double[][] x, double[] y, int trees, int minLeaf, long seed) {
        Random rnd = new Random(seed);
        int features = x[0].length;
        int tries = Math.max(1, features / 3);
        List<Node> out = new ArrayList<>();
        for (int t = 0; t < trees; t++) {
            int[] rows = new int[x.length];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = rnd.nextInt(x.length);
            }
            out.add(grow(x, y, rows, minLeaf, tries, rnd));
        }
        return new RandomForest(out);
    }

    public double predict(double[] row) {
        double sum = 0;
        for (Node n : trees) {
            Node cur = n;
            while (!cur.leaf()) {
                cur = row[cur.feature()] <= cur.threshold() ? cur.left() : cur.right();
            }
            sum += cur.value();
        }
        return sum / trees.size();
    }

    private static Node grow(double[][] x, double[] y, int[] rows, int minLeaf, int tries, Random rnd) {
        double mean = 0;
        for (int r : rows) {
            mean += y[r];
        }
        mean /= rows.length;
        if (rows.length < 2 * minLeaf) {
            return new Node(-1, 0, null, null, mean);
        }
        int features = x[0].length;
        int bestFeature = -1;
        double bestThreshold = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        // Features in random order until `tries` of them could split: a feature constant in this node does not count
        // (otherwise a node whose one sampled feature is constant would stop growing).
        List<Integer> order = new ArrayList<>();
        for (int f = 0; f < features; f++) {
            order.add(f);
        }
        java.util.Collections.shuffle(order, rnd);
        int evaluated = 0;
        for (int f : order) {
            if (evaluated >= tries) {
                break;
            }
            Integer[] sorted = Arrays.stream(rows).boxed().toArray(Integer[]::new);
            Arrays.sort(sorted, (a, b) -> Double.compare(x[a][f], x[b][f]));
            if (x[sorted[0]][f] == x[sorted[sorted.length - 1]][f]) {
                continue;
            }
            evaluated++;
            double total = 0;
            for (int r : rows) {
                total += y[r];
            }
            double leftSum = 0;
            for (int i = 0; i < sorted.length - 1; i++) {
                leftSum += y[sorted[i]];
                int nl = i + 1;
                int nr = sorted.length - nl;
                if (nl < minLeaf || nr < minLeaf || x[sorted[i]][f] == x[sorted[i + 1]][f]) {
                    continue;
                }
                // Maximising sum_l^2/n_l + sum_r^2/n_r is minimising the children's squared error.
                double score = leftSum * leftSum / nl + (total - leftSum) * (total - leftSum) / nr;
                if (score > bestScore) {
                    bestScore = score;
                    bestFeature = f;
                    bestThreshold = (x[sorted[i]][f] + x[sorted[i + 1]][f]) / 2;
                }
            }
        }
        if (bestFeature < 0) {
            return new Node(-1, 0, null, null, mean);
        }
        int bf = bestFeature;
        double bt = bestThreshold;
        int[] left = Arrays.stream(rows).filter(r -> x[r][bf] <= bt).toArray();
        int[] right = Arrays.stream(rows).filter(r -> x[r][bf] > bt).toArray();
        return new Node(bf, bt, grow(x, y, left, minLeaf, tries, rnd), grow(x, y, right, minLeaf, tries, rnd), mean);
    }
}
